package dev.odc.api.auth;

import dev.odc.api.errors.ApiException;
import dev.odc.core.AuditEvent;
import dev.odc.core.ErrorCode;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.AuditLog;
import dev.odc.database.UserDao;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users as identity providers describe them; the first login creates the row.
 *
 * <p>Known users are cached (bounded, per issuer and subject) for {@code cacheTtl}: a login whose
 * email and roles match the cached row needs no database round trip. A login that brings other
 * roles or another email goes to the database as before and refreshes the entry, so a token's
 * groups take effect at once. Changes made elsewhere (a user disabled by an admin, in any API
 * instance) are seen when the entry ages out, at most {@code cacheTtl} later; a TTL of zero turns
 * the cache off.
 */
public class UserDirectory {
  private static final Logger log = LoggerFactory.getLogger(UserDirectory.class);

  /** At most this many users are cached; beyond it the oldest entries are dropped. */
  static final int MAX_CACHED = 10_000;

  /** A login records that the IdP stated the roles at most this often per user. */
  static final long CONFIRM_INTERVAL_SECONDS = 60;

  private final Jdbi jdbi;
  private final Clock clock;
  private final long cacheTtlNanos;
  private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

  private record Key(String issuer, String subject) {}

  private record Cached(User user, long loadedNanos) {}

  public UserDirectory(Jdbi jdbi, Clock clock) {
    this(jdbi, clock, Duration.ZERO);
  }

  public UserDirectory(Jdbi jdbi, Clock clock, Duration cacheTtl) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.cacheTtlNanos = cacheTtl.toNanos();
  }

  /**
   * Like {@link #login(String, String, String, String, Set)}, but answered from the cache when the
   * user is known, recently read, and the identity provider says the same about email and roles.
   */
  public User cachedLogin(
      String issuer, String subject, String username, String email, Set<Role> roles) {
    if (cacheTtlNanos <= 0) {
      return login(issuer, subject, username, email, roles);
    }
    Key key = new Key(issuer, subject);
    Cached hit = cache.get(key);
    long now = System.nanoTime();
    if (hit != null
        && now - hit.loadedNanos() < cacheTtlNanos
        && hit.user().roles().equals(roles)
        && Objects.equals(hit.user().email(), email)) {
      return hit.user();
    }
    User user = login(issuer, subject, username, email, roles);
    if (cache.size() >= MAX_CACHED) {
      evict(now);
    }
    cache.put(key, new Cached(user, now));
    return user;
  }

  /** Drops expired entries, and when that is not enough, the older half. */
  private void evict(long now) {
    cache.values().removeIf(c -> now - c.loadedNanos() >= cacheTtlNanos);
    if (cache.size() >= MAX_CACHED) {
      long[] ages = cache.values().stream().mapToLong(Cached::loadedNanos).sorted().toArray();
      if (ages.length > 0) {
        long median = ages[ages.length / 2];
        cache.values().removeIf(c -> c.loadedNanos() <= median);
      }
    }
  }

  /** Forgets every cached user, e.g. after a change the cache cannot see. */
  public void invalidateAll() {
    cache.clear();
  }

  int cachedCount() {
    return cache.size();
  }

  /**
   * The user with this issuer and subject, created (with a {@code user.create} audit row) when new,
   * its email and roles updated when the identity provider says otherwise now.
   *
   * @throws ApiException CONFLICT when the username belongs to another identity
   */
  public User login(String issuer, String subject, String username, String email, Set<Role> roles) {
    try {
      return loginOnce(issuer, subject, username, email, roles);
    } catch (UnableToExecuteStatementException e) {
      if (!uniqueViolation(e)) {
        throw e;
      }
      // A user's first requests can arrive together: each transaction found no row and inserted
      // one, and all but the first hit the unique indexes. Read again: the row is there now. Only
      // when it is not does the username belong to someone else.
    }
    try {
      return loginOnce(issuer, subject, username, email, roles);
    } catch (UnableToExecuteStatementException e) {
      if (uniqueViolation(e)) {
        throw new ApiException(
            ErrorCode.CONFLICT,
            "username '" + username + "' already belongs to another identity; ask an admin");
      }
      throw e;
    }
  }

  /** Whether a username is one people may not carry: the platform's own, or namespaced. */
  public static boolean reserved(String username) {
    return username.equals("system") || username.indexOf(':') >= 0;
  }

  /** The user with this username, as stored now. */
  public Optional<User> findByUsername(String username) {
    return jdbi.onDemand(UserDao.class).findByUsername(username);
  }

  private static boolean uniqueViolation(UnableToExecuteStatementException e) {
    return e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState());
  }

  private User loginOnce(
      String issuer, String subject, String username, String email, Set<Role> roles) {
    return jdbi.inTransaction(
        handle -> {
          UserDao users = handle.attach(UserDao.class);
          Optional<User> existing = users.findByIssuerAndSubject(issuer, subject);
          if (existing.isPresent()) {
            User user = existing.get();
            // the identity provider has just stated this user's roles: API keys may keep them
            users.confirmRoles(user.id(), clock.instant(), CONFIRM_INTERVAL_SECONDS);
            if (user.roles().equals(roles) && Objects.equals(user.email(), email)) {
              return user;
            }
            return users.upsert(
                new User(
                    user.id(),
                    issuer,
                    subject,
                    user.username(),
                    email,
                    roles,
                    user.disabled(),
                    user.createdAt()));
          }
          if (reserved(username)) {
            // the username matters only here: a known user keeps the one it was created with
            throw new ApiException(
                ErrorCode.FORBIDDEN,
                "username '"
                    + username
                    + "' is reserved (names with ':' and 'system' name the platform); ask your"
                    + " identity provider's admin for another");
          }
          UUID newId = UUID.randomUUID();
          User created =
              users.upsert(
                  new User(newId, issuer, subject, username, email, roles, false, clock.instant()));
          users.confirmRoles(created.id(), clock.instant(), 0);
          if (!created.id().equals(newId)) {
            // a concurrent first request inserted the row between our read and our insert (the
            // upsert updated theirs): it created the user and wrote the audit row
            return created;
          }
          AuditLog.append(
              handle,
              created.username(),
              "user.create",
              "user",
              created.id().toString(),
              AuditEvent.SUCCESS,
              Map.of("issuer", issuer, "roles", roles));
          log.info("Created user {} for issuer {}", created.username(), issuer);
          return created;
        });
  }
}
