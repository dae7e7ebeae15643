package dev.odc.api.auth;

import dev.odc.core.ApiKey;
import dev.odc.core.AuditEvent;
import dev.odc.core.User;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.database.ApiKeyDao;
import dev.odc.database.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Issues API keys: the key is returned once, only its hash is stored. */
public class ApiKeyIssuer {
  private final Clock clock;

  public ApiKeyIssuer(Clock clock) {
    this.clock = clock;
  }

  /**
   * Inserts the key and its {@code apikey.create} audit row in the caller's transaction.
   *
   * @param parent the key the caller used, which the new key must not outlive, or null
   * @param origin how the key is obtained ({@link ApiKeyDao#ORIGIN_OIDC} ...)
   */
  public ApiKeyCreated issue(
      Handle handle,
      User user,
      String actor,
      String name,
      Duration ttl,
      List<String> scopes,
      ApiKey parent,
      String origin,
      Map<String, ?> auditDetails) {
    String key = ApiKeys.generate();
    // PostgreSQL keeps microseconds: the answer shows the times as they are stored
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Instant expires = now.plus(ttl);
    if (parent != null && parent.expiresAt().isBefore(expires)) {
      expires = parent.expiresAt();
    }
    ApiKey metadata =
        new ApiKey(
            UUID.randomUUID(),
            user.id(),
            name,
            ApiKeys.shownPrefix(key),
            scopes,
            now,
            expires,
            null,
            null);
    handle
        .attach(ApiKeyDao.class)
        .insert(metadata, ApiKeys.hash(key), parent == null ? null : parent.id(), origin);
    AuditLog.append(
        handle,
        actor,
        "apikey.create",
        "apikey",
        metadata.id().toString(),
        AuditEvent.SUCCESS,
        auditDetails);
    return new ApiKeyCreated(metadata, key);
  }
}
