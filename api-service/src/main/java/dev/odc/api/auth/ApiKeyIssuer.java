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

  /** Inserts the key and its {@code apikey.create} audit row in the caller's transaction. */
  public ApiKeyCreated issue(
      Handle handle,
      User user,
      String actor,
      String name,
      Duration ttl,
      List<String> scopes,
      Map<String, ?> auditDetails) {
    String key = ApiKeys.generate();
    Instant now = clock.instant();
    ApiKey metadata =
        new ApiKey(
            UUID.randomUUID(),
            user.id(),
            name,
            ApiKeys.shownPrefix(key),
            scopes,
            now,
            now.plus(ttl),
            null,
            null);
    handle.attach(ApiKeyDao.class).insert(metadata, ApiKeys.hash(key));
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
