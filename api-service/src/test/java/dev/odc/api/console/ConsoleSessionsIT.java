package dev.odc.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.UserDao;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.MutableClock;
import io.dropwizard.util.Duration;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Console sessions in a real PostgreSQL: idle and absolute expiry, logout, single-use logins. */
class ConsoleSessionsIT {
  @RegisterExtension static final PostgresExtension DB = new PostgresExtension();
  static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");

  Jdbi jdbi;
  MutableClock clock;
  ConsoleSessions sessions;
  User user;

  @BeforeEach
  void setUp() throws SQLException {
    DB.clean();
    jdbi = DB.jdbi();
    clock = new MutableClock(T0);
    ConsoleConfig config = new ConsoleConfig();
    config.sessionIdleTimeout = Duration.minutes(30);
    config.sessionMaxAge = Duration.hours(8);
    config.loginTimeout = Duration.minutes(10);
    sessions = new ConsoleSessions(jdbi, config, clock);
    user =
        jdbi.onDemand(UserDao.class)
            .upsert(
                new User(
                    UUID.randomUUID(),
                    "https://issuer.example",
                    "s-lena",
                    "lena",
                    null,
                    EnumSet.of(Role.USER),
                    false,
                    T0));
  }

  @Test
  void theCookieValueIsNeverStoredOnlyItsHash() {
    ConsoleSessions.Created created = sessions.create(user, EnumSet.of(Role.USER, Role.ADMIN));
    String stored =
        jdbi.withHandle(
            h -> h.createQuery("select id_hash from console_sessions").mapTo(String.class).one());
    assertThat(stored).isNotEqualTo(created.cookieValue()).hasSize(64);
    assertThat(sessions.find(created.cookieValue()))
        .hasValueSatisfying(
            s -> {
              assertThat(s.principal().getName()).isEqualTo("lena");
              assertThat(s.principal().isAdmin()).isTrue();
              assertThat(s.csrfToken()).isNotBlank().isNotEqualTo(created.cookieValue());
            });
    assertThat(sessions.find(stored)).isEmpty();
    assertThat(sessions.find("forged")).isEmpty();
  }

  @Test
  void anIdleSessionEndsAndUseKeepsItAliveUpToItsMaximumAge() {
    String cookie = sessions.create(user, EnumSet.of(Role.USER)).cookieValue();
    // used every 20 minutes: alive past the 30-minute idle limit...
    for (int i = 0; i < 23; i++) {
      clock.advance(java.time.Duration.ofMinutes(20));
      assertThat(sessions.find(cookie)).as("after %d min", (i + 1) * 20).isPresent();
    }
    // ...but never past 8 hours after login
    clock.advance(java.time.Duration.ofMinutes(20));
    assertThat(sessions.find(cookie)).isEmpty();

    String idle = sessions.create(user, EnumSet.of(Role.USER)).cookieValue();
    clock.advance(java.time.Duration.ofMinutes(31));
    assertThat(sessions.find(idle)).isEmpty();
  }

  @Test
  void logoutAndDisablingTheUserEndSessions() {
    String cookie = sessions.create(user, EnumSet.of(Role.USER)).cookieValue();
    sessions.delete(cookie);
    assertThat(sessions.find(cookie)).isEmpty();

    String other = sessions.create(user, EnumSet.of(Role.USER)).cookieValue();
    jdbi.onDemand(UserDao.class).setDisabled(user.id(), true);
    assertThat(sessions.find(other)).isEmpty();
  }

  @Test
  void aLoginInFlightIsTakenOnceAndExpires() {
    sessions.beginLogin("state-1", "verifier-1", "nonce-1", "/disks");
    assertThat(sessions.takeLogin("state-1"))
        .hasValueSatisfying(l -> assertThat(l.returnTo()).isEqualTo("/disks"));
    assertThat(sessions.takeLogin("state-1")).isEmpty();

    sessions.beginLogin("state-2", "verifier-2", "nonce-2", "/");
    clock.advance(java.time.Duration.ofMinutes(11));
    assertThat(sessions.takeLogin("state-2")).isEmpty();
  }
}
