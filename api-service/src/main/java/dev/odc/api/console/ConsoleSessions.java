package dev.odc.api.console;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.ConsoleSessionDao;
import dev.odc.database.UserDao;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The console's sessions, in the database so that every replica of the api-service serves every
 * session. The cookie value is a random 256-bit id; only its SHA-256 is stored.
 */
public class ConsoleSessions {
  /** Last-seen times are written at most this often per session, not on every request. */
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final Jdbi jdbi;
  private final Clock clock;
  private final Duration idleTimeout;
  private final Duration maxAge;
  private final Duration loginTimeout;

  /** A live session: who, with which roles, and the token its state-changing requests must echo. */
  public record Session(OdcPrincipal principal, String csrfToken, Instant expiresAt) {}

  /** A new session and the cookie value that names it (shown to nobody but the browser). */
  public record Created(String cookieValue, Session session) {
    @Override
    public String toString() {
      return "Created[" + session.principal().getName() + "]";
    }
  }

  public ConsoleSessions(Jdbi jdbi, ConsoleConfig config, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.idleTimeout = Duration.ofMillis(config.sessionIdleTimeout.toMilliseconds());
    this.maxAge = Duration.ofMillis(config.sessionMaxAge.toMilliseconds());
    this.loginTimeout = Duration.ofMillis(config.loginTimeout.toMilliseconds());
  }

  public Duration maxAge() {
    return maxAge;
  }

  public Created create(User user, Set<Role> roles) {
    String cookie = OidcCodeFlow.randomToken();
    String csrf = OidcCodeFlow.randomToken();
    Instant now = clock.instant();
    Instant expires = now.plus(maxAge);
    String[] roleNames = roles.stream().map(Role::name).sorted().toArray(String[]::new);
    jdbi.useExtension(
        ConsoleSessionDao.class,
        dao -> {
          // expired rows go when someone logs in: no job needed, the table stays small
          dao.purge(now, now.minus(idleTimeout));
          dao.insertSession(hash(cookie), user.id(), roleNames, csrf, now, expires);
        });
    return new Created(
        cookie, new Session(new OdcPrincipal(user, roles, "console"), csrf, expires));
  }

  /**
   * The live session this cookie names. Empty when there is none, it expired or was idle too long,
   * or its user has been disabled since.
   */
  public Optional<Session> find(String cookieValue) {
    if (cookieValue == null || cookieValue.isBlank() || cookieValue.length() > 100) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    String idHash = hash(cookieValue);
    return jdbi.inTransaction(
        handle -> {
          ConsoleSessionDao dao = handle.attach(ConsoleSessionDao.class);
          Optional<ConsoleSessionDao.SessionRow> row =
              dao.findLive(idHash, now, now.minus(idleTimeout));
          if (row.isEmpty()) {
            return Optional.<Session>empty();
          }
          Optional<User> user =
              handle.attach(UserDao.class).findById(row.get().userId()).filter(u -> !u.disabled());
          if (user.isEmpty()) {
            dao.deleteSession(idHash);
            return Optional.<Session>empty();
          }
          if (row.get().lastSeenAt().plus(TOUCH_EVERY).isBefore(now)) {
            dao.touch(idHash, now);
          }
          Set<Role> roles = EnumSet.noneOf(Role.class);
          Arrays.stream(row.get().roles()).map(Role::valueOf).forEach(roles::add);
          return Optional.of(
              new Session(
                  new OdcPrincipal(user.get(), roles, "console"),
                  row.get().csrfToken(),
                  row.get().expiresAt()));
        });
  }

  /** Ends the session; nothing happens when there is none. */
  public void delete(String cookieValue) {
    if (cookieValue != null && !cookieValue.isBlank()) {
      jdbi.useExtension(ConsoleSessionDao.class, dao -> dao.deleteSession(hash(cookieValue)));
    }
  }

  /** Remembers a login in flight; its state is the key. */
  public void beginLogin(String state, String codeVerifier, String nonce, String returnTo) {
    Instant now = clock.instant();
    jdbi.useExtension(
        ConsoleSessionDao.class,
        dao -> {
          // abandoned logins go here, so that a flood of /login requests cannot pile up rows
          dao.purgeLogins(now);
          dao.insertLogin(hash(state), codeVerifier, nonce, returnTo, now.plus(loginTimeout));
        });
  }

  /** The login in flight with this state, removed so that it cannot be completed twice. */
  public Optional<ConsoleSessionDao.LoginRow> takeLogin(String state) {
    if (state == null || state.isBlank() || state.length() > 100) {
      return Optional.empty();
    }
    return jdbi.withExtension(
        ConsoleSessionDao.class, dao -> dao.takeLogin(hash(state), clock.instant()));
  }

  static String hash(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
