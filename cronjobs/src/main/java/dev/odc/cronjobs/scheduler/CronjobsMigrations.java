package dev.odc.cronjobs.scheduler;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates the Quartz job-store tables and the jobs' bookkeeping tables in their own schema ({@value
 * #SCHEMA}) with their own Flyway history table, so they never mix with the database module's
 * migrations in {@code public}.
 */
public final class CronjobsMigrations {
  public static final String SCHEMA = "cronjobs";
  public static final String HISTORY_TABLE = "flyway_cronjobs_history";

  /** Quartz's table prefix: schema-qualified, so the job store does not depend on search_path. */
  public static final String QUARTZ_TABLE_PREFIX = SCHEMA + ".qrtz_";

  private CronjobsMigrations() {}

  /** Applies pending migrations; safe to call from every replica at start-up. */
  public static MigrateResult migrate(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .schemas(SCHEMA)
        .createSchemas(true)
        .table(HISTORY_TABLE)
        .locations("classpath:db/cronjobs")
        .load()
        .migrate();
  }
}
