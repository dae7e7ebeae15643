package dev.odc.core.api;

import java.util.List;

/**
 * What the CLI needs to log in, from {@code GET /v1/auth/config}, so that users configure only the
 * API URL.
 *
 * @param awsLoginEnabled true when {@code POST /v1/auth/aws-login} is available
 */
public record AuthConfig(
    String issuer, String clientId, List<String> scopes, String audience, boolean awsLoginEnabled) {
  public AuthConfig {
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
  }
}
