package dev.odc.database;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.ApiKey;
import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.GpuType;
import dev.odc.core.Json;
import dev.odc.core.Reservation;
import dev.odc.core.User;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.jackson2.Jackson2Config;
import org.jdbi.v3.jackson2.Jackson2Plugin;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the database module: schema migration and a {@link Jdbi} set up for ODC.
 *
 * <pre>{@code
 * Database.migrate(dataSource);
 * Jdbi jdbi = Database.jdbi(dataSource);
 * ReservationDao reservations = jdbi.onDemand(ReservationDao.class);
 * }</pre>
 *
 * With Dropwizard's {@code JdbiFactory}, pass the Jdbi it builds through {@link #configure(Jdbi)}.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /** Where the Flyway migrations (the files of {@code database/schema/}) are in the jar. */
  public static final String MIGRATIONS_LOCATION = "classpath:db/migration";

  /** The mapper the database uses for jsonb columns and queue messages. */
  static final ObjectMapper MAPPER = Json.newMapper();

  private Database() {}

  /**
   * Applies the pending migrations. Safe to call from several processes at once: Flyway takes a
   * lock in the database.
   *
   * @return the number of migrations applied now
   */
  public static int migrate(DataSource dataSource) {
    MigrateResult result =
        Flyway.configure().dataSource(dataSource).locations(MIGRATIONS_LOCATION).load().migrate();
    log.info(
        "Database schema at version {} ({} migrations applied now)",
        result.targetSchemaVersion != null
            ? result.targetSchemaVersion
            : result.initialSchemaVersion,
        result.migrationsExecuted);
    return result.migrationsExecuted;
  }

  /** A Jdbi over {@code dataSource} with ODC's plugins and row mappers. */
  public static Jdbi jdbi(DataSource dataSource) {
    return configure(Jdbi.create(dataSource));
  }

  /**
   * Installs SqlObject, Postgres and Jackson (configured by {@link Json}) support and the row
   * mappers of the core records on an existing Jdbi, e.g. one built by Dropwizard.
   */
  public static Jdbi configure(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin())
        .installPlugin(new PostgresPlugin())
        .installPlugin(new Jackson2Plugin());
    jdbi.getConfig(Jackson2Config.class).setMapper(MAPPER);
    jdbi.registerRowMapper(Reservation.class, new Mappers.ReservationMapper());
    jdbi.registerRowMapper(QueueEntry.class, new Mappers.QueueEntryMapper());
    jdbi.registerRowMapper(Disk.class, new Mappers.DiskMapper());
    jdbi.registerRowMapper(DiskSnapshot.class, new Mappers.DiskSnapshotMapper());
    jdbi.registerRowMapper(GpuType.class, new Mappers.GpuTypeMapper());
    jdbi.registerRowMapper(User.class, new Mappers.UserMapper());
    jdbi.registerRowMapper(ApiKey.class, new Mappers.ApiKeyMapper());
    jdbi.registerRowMapper(AuditEvent.class, new Mappers.AuditEventMapper());
    return jdbi;
  }
}
