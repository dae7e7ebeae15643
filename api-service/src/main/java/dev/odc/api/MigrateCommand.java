package dev.odc.api;

import dev.odc.database.Database;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import net.sourceforge.argparse4j.inf.Namespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code api-service migrate config.yml}: applies ODC's schema and PGMQ migrations and exits. The
 * Helm chart's pre-install/pre-upgrade hook Job runs it, so that the services can start with {@code
 * migrateOnStart: false}.
 */
public final class MigrateCommand extends ConfiguredCommand<ApiConfiguration> {
  private static final Logger log = LoggerFactory.getLogger(MigrateCommand.class);

  public MigrateCommand() {
    super("migrate", "Applies ODC's database migrations (schema and PGMQ queues), then exits");
  }

  @Override
  protected void run(
      Bootstrap<ApiConfiguration> bootstrap, Namespace namespace, ApiConfiguration config)
      throws Exception {
    ManagedDataSource dataSource =
        config.getDatabase().build(bootstrap.getMetricRegistry(), "migrate");
    try {
      Database.migrate(dataSource);
      log.info("Database migrations applied");
    } finally {
      dataSource.stop();
    }
  }
}
