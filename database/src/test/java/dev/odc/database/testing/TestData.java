package dev.odc.database.testing;

import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.UserDao;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Rows that tests need before the ones they test (foreign keys), written through the DAOs. */
public final class TestData {
  private TestData() {}

  /** Inserts (or finds) a user with issuer {@code https://issuer.test} and subject = username. */
  public static User user(Jdbi jdbi, String username, Role... roles) {
    User user =
        new User(
            UUID.randomUUID(),
            "https://issuer.test",
            username,
            username,
            username + "@example.test",
            Set.of(roles),
            false,
            Instant.now().truncatedTo(ChronoUnit.MICROS));
    return jdbi.onDemand(UserDao.class).upsert(user);
  }
}
