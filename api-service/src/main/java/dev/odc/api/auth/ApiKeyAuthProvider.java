package dev.odc.api.auth;

import dev.odc.core.ApiKey;
import dev.odc.core.User;
import dev.odc.database.ApiKeyDao;
import dev.odc.database.UserDao;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ODC API keys, looked up by hash; revoked and expired keys and disabled users are refused. */
public class ApiKeyAuthProvider implements AuthProvider<String> {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthProvider.class);
  private final Jdbi jdbi;
  private final Clock clock;

  public ApiKeyAuthProvider(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "api-key";
  }

  @Override
  public boolean handles(String credential) {
    return ApiKeys.looksLikeKey(credential);
  }

  @Override
  public Optional<OdcPrincipal> verify(String credential) {
    Instant now = clock.instant();
    Optional<ApiKey> key = jdbi.onDemand(ApiKeyDao.class).findByHash(ApiKeys.hash(credential));
    if (key.isEmpty()) {
      log.debug("Refused an unknown API key");
      return Optional.empty();
    }
    if (!key.get().usableAt(now)) {
      log.debug("Refused API key {}: revoked or expired", key.get().id());
      return Optional.empty();
    }
    Optional<User> user = jdbi.onDemand(UserDao.class).findById(key.get().userId());
    if (user.isEmpty() || user.get().disabled()) {
      log.debug("Refused API key {}: its user is disabled", key.get().id());
      return Optional.empty();
    }
    jdbi.onDemand(ApiKeyDao.class).touchLastUsed(key.get().id(), now);
    return Optional.of(
        new OdcPrincipal(
            user.get(), user.get().roles(), name(), new HashSet<>(key.get().scopes())));
  }
}
