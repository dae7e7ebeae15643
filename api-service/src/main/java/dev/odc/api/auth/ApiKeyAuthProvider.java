package dev.odc.api.auth;

import dev.odc.core.ApiKey;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.ApiKeyDao;
import dev.odc.database.UserDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ODC API keys, looked up by hash. Refused: revoked and expired keys, keys made from a key that is
 * revoked or expired now (however indirectly), and keys of disabled users. A key carries its user's
 * roles only while the identity provider has stated them within {@code roleMaxAge}; after that the
 * key acts with the user role alone until the user logs in again. Keys from an AWS login act with
 * the user role alone.
 */
public class ApiKeyAuthProvider implements AuthProvider<String> {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthProvider.class);
  private final Jdbi jdbi;
  private final Clock clock;
  private final Duration roleMaxAge;

  public ApiKeyAuthProvider(Jdbi jdbi, Clock clock, Duration roleMaxAge) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.roleMaxAge = roleMaxAge;
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
    Optional<ApiKeyDao.Standing> standing =
        jdbi.onDemand(ApiKeyDao.class).standing(key.get().id(), now);
    if (standing.isEmpty() || !standing.get().lineageUsable()) {
      log.debug("Refused API key {}: a key it was made from is revoked or expired", key.get().id());
      return Optional.empty();
    }
    Optional<User> user = jdbi.onDemand(UserDao.class).findById(key.get().userId());
    if (user.isEmpty() || user.get().disabled()) {
      log.debug("Refused API key {}: its user is disabled", key.get().id());
      return Optional.empty();
    }
    if (UserDirectory.reserved(user.get().username())) {
      // a user that took a platform name before such names were refused
      log.debug("Refused API key {}: its user has a reserved name", key.get().id());
      return Optional.empty();
    }
    jdbi.onDemand(ApiKeyDao.class).touchLastUsed(key.get().id(), now);
    return Optional.of(
        new OdcPrincipal(
            user.get(),
            roles(user.get(), standing.get(), now),
            name(),
            new HashSet<>(key.get().scopes()),
            key.get()));
  }

  private Set<Role> roles(User user, ApiKeyDao.Standing standing, Instant now) {
    if (ApiKeyDao.ORIGIN_AWS_LOGIN.equals(standing.origin())) {
      return EnumSet.of(Role.USER);
    }
    Instant confirmed = standing.rolesConfirmedAt();
    if (confirmed == null || confirmed.plus(roleMaxAge).isBefore(now)) {
      // the IdP has not said lately that this user still holds these roles
      return EnumSet.of(Role.USER);
    }
    return user.roles();
  }
}
