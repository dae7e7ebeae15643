package dev.odc.core.api;

import java.util.List;

/**
 * Body of {@code POST /v1/api-keys}.
 *
 * @param ttlHours null means the platform's default lifetime
 * @param scopes null or empty means every scope the user has
 */
public record CreateApiKeyRequest(String name, Integer ttlHours, List<String> scopes) {
  public CreateApiKeyRequest {
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
  }
}
