package dev.odc.core;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An API key's metadata. The key itself is shown once at creation and stored only as a hash.
 *
 * @param prefix the first characters of the key, to tell keys apart in listings
 */
public record ApiKey(
    UUID id,
    UUID userId,
    String name,
    String prefix,
    List<String> scopes,
    Instant createdAt,
    Instant expiresAt,
    Instant revokedAt,
    Instant lastUsedAt) {
  public ApiKey {
    Checks.notNull(id, "id");
    Checks.notNull(userId, "userId");
    Checks.notBlank(name, "name");
    Checks.notBlank(prefix, "prefix");
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    Checks.notNull(createdAt, "createdAt");
    Checks.notNull(expiresAt, "expiresAt");
  }

  public boolean usableAt(Instant now) {
    return revokedAt == null && now.isBefore(expiresAt);
  }
}
