package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Reservation;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMappers;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class DatabaseTest {
  @Test
  void configureWorksOnAJdbiThatAlreadyHasPlugins() {
    // what Dropwizard's JdbiFactory hands over: a Jdbi with SqlObject installed already
    Jdbi jdbi = Jdbi.create(new PGSimpleDataSource()).installPlugin(new SqlObjectPlugin());
    Database.configure(jdbi);
    Database.configure(jdbi);
    assertThat(jdbi.getConfig(RowMappers.class).findFor(Reservation.class)).isPresent();
    assertThat(Database.MIGRATIONS_LOCATION).isEqualTo("classpath:db/migration");
  }

  @Test
  void theMigrationsAreOnTheClasspath() {
    for (String name : new String[] {"V1__core_tables.sql", "V2__pgmq.sql", "V3__queues.sql"}) {
      assertThat(DatabaseTest.class.getClassLoader().getResource("db/migration/" + name))
          .as(name)
          .isNotNull();
    }
  }
}
