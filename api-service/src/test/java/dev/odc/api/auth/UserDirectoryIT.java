package dev.odc.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.api.errors.ApiException;
import dev.odc.core.ErrorCode;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.UserDao;
import dev.odc.database.testing.PostgresExtension;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The user cache of {@link UserDirectory} against a real PostgreSQL. */
class UserDirectoryIT {
  @RegisterExtension static final PostgresExtension DB = new PostgresExtension();
  static final String ISSUER = "https://issuer.example";
  static final Set<Role> USER = EnumSet.of(Role.USER);
  static final Set<Role> ADMIN = EnumSet.of(Role.USER, Role.ADMIN);

  Jdbi jdbi;

  @BeforeEach
  void clean() throws SQLException {
    DB.clean();
    jdbi = DB.jdbi();
  }

  long auditRows() {
    return jdbi.withHandle(
        h -> h.createQuery("select count(*) from audit_log").mapTo(Long.class).one());
  }

  @Test
  void aKnownUserWithTheSameRolesIsAnsweredFromTheCache() {
    UserDirectory users = new UserDirectory(jdbi, Clock.systemUTC(), Duration.ofHours(1));
    User first = users.cachedLogin(ISSUER, "s1", "dana", "dana@example.com", USER);
    assertThat(auditRows()).isEqualTo(1); // user.create
    // changed behind the directory's back: the cached row is still answered (within the TTL)
    jdbi.onDemand(UserDao.class).setDisabled(first.id(), true);
    User second = users.cachedLogin(ISSUER, "s1", "dana", "dana@example.com", USER);
    assertThat(second).isEqualTo(first);
    assertThat(second.disabled()).isFalse();
    // after invalidation the database's view wins
    users.invalidateAll();
    assertThat(users.cachedLogin(ISSUER, "s1", "dana", "dana@example.com", USER).disabled())
        .isTrue();
  }

  @Test
  void newRolesOrEmailFromTheTokenGoToTheDatabaseAtOnce() {
    UserDirectory users = new UserDirectory(jdbi, Clock.systemUTC(), Duration.ofHours(1));
    User first = users.cachedLogin(ISSUER, "s2", "eve", "eve@example.com", USER);
    User promoted = users.cachedLogin(ISSUER, "s2", "eve", "eve@example.com", ADMIN);
    assertThat(promoted.roles()).isEqualTo(ADMIN);
    assertThat(jdbi.onDemand(UserDao.class).findById(first.id()).orElseThrow().roles())
        .isEqualTo(ADMIN);
    // and back: the cache holds the promoted row, the token now says USER
    User demoted = users.cachedLogin(ISSUER, "s2", "eve", "eve@example.com", USER);
    assertThat(demoted.roles()).isEqualTo(USER);
    assertThat(jdbi.onDemand(UserDao.class).findById(first.id()).orElseThrow().roles())
        .isEqualTo(USER);
    User moved = users.cachedLogin(ISSUER, "s2", "eve", "eve@new.example", USER);
    assertThat(moved.email()).isEqualTo("eve@new.example");
    assertThat(jdbi.onDemand(UserDao.class).findById(first.id()).orElseThrow().email())
        .isEqualTo("eve@new.example");
  }

  @Test
  void aNewUsersFirstRequestsArrivingTogetherAllGetTheOneUser() throws Exception {
    UserDirectory users = new UserDirectory(jdbi, Clock.systemUTC(), Duration.ofHours(1));
    int n = 16;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      for (int round = 0; round < 5; round++) {
        String subject = "burst-" + round;
        String username = "burst" + round;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<User>> logins = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          logins.add(
              pool.submit(
                  () -> {
                    go.await();
                    return users.login(ISSUER, subject, username, null, USER);
                  }));
        }
        go.countDown();
        Set<UUID> ids = new HashSet<>();
        for (Future<User> login : logins) {
          ids.add(login.get(1, TimeUnit.MINUTES).id());
        }
        assertThat(ids).as("round %d: every request sees the same user", round).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
    // one user and one user.create row per identity
    assertThat(auditRows()).isEqualTo(5);
  }

  @Test
  void aUsernameOfAnotherIdentityIsAConflict() {
    UserDirectory users = new UserDirectory(jdbi, Clock.systemUTC(), Duration.ofHours(1));
    users.login(ISSUER, "first", "gail", null, USER);

    assertThatThrownBy(() -> users.login(ISSUER, "second", "gail", null, USER))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
              assertThat(e.getMessage()).contains("'gail' already belongs to another identity");
            });
  }

  @Test
  void anExpiredEntryIsReadAgain() throws InterruptedException {
    UserDirectory users = new UserDirectory(jdbi, Clock.systemUTC(), Duration.ofMillis(1));
    User first = users.cachedLogin(ISSUER, "s3", "finn", null, USER);
    jdbi.onDemand(UserDao.class).setDisabled(first.id(), true);
    Thread.sleep(5); // longer than the TTL, so the entry has expired
    assertThat(users.cachedLogin(ISSUER, "s3", "finn", null, USER).disabled()).isTrue();
  }

  @Test
  void aZeroTtlReadsTheDatabaseEveryTime() {
    UserDirectory users = new UserDirectory(jdbi, Clock.systemUTC(), Duration.ZERO);
    User first = users.cachedLogin(ISSUER, "s4", "gus", null, USER);
    jdbi.onDemand(UserDao.class).setDisabled(first.id(), true);
    assertThat(users.cachedLogin(ISSUER, "s4", "gus", null, USER).disabled()).isTrue();
    assertThat(users.cachedCount()).isZero();
  }
}
