package dev.odc.api;

import dev.odc.database.Database;
import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.UndefinedEnvironmentVariableException;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sourceforge.argparse4j.inf.Namespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar api-service.jar migrate config.yml}: applies ODC's schema and PGMQ migrations
 * and exits (0 on success, also when there was nothing to apply; 1 on any failure). The Helm
 * chart's pre-install/pre-upgrade hook Job runs it, so that the services can start with {@code
 * migrateOnStart: false}.
 *
 * <p>A configuration problem (a missing environment variable, an unknown or invalid key) is
 * reported as one message naming it, without a stack trace, since it is the operator's to fix.
 */
public final class MigrateCommand extends ConfiguredCommand<ApiConfiguration> {
  private static final Logger log = LoggerFactory.getLogger(MigrateCommand.class);
  private static final Pattern QUOTED = Pattern.compile("'([^']+)'");

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
      int applied = Database.migrate(dataSource);
      if (applied == 0) {
        log.info("Database schema is up to date: nothing to migrate");
      } else {
        log.info("Database migrations applied: {}", applied);
      }
    } finally {
      dataSource.stop();
    }
  }

  @Override
  public void onError(Cli cli, Namespace namespace, Throwable e) {
    PrintWriter err = cli.getStdErr();
    if (e instanceof UndefinedEnvironmentVariableException) {
      Matcher name = QUOTED.matcher(String.valueOf(e.getMessage()));
      err.println(
          "migrate: invalid configuration: environment variable "
              + (name.find() ? name.group(1) : "(unknown)")
              + " is not set, and the configuration uses it without a default");
    } else if (e instanceof ConfigurationException) {
      err.println("migrate: invalid configuration: " + e.getMessage().strip());
    } else {
      err.println("migrate: failed: " + causes(e));
      e.printStackTrace(err);
    }
    err.flush();
  }

  /** The messages of an exception and its causes, outermost first. */
  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (!text.isEmpty()) {
        text.append(": ");
      }
      text.append(t.getMessage() != null ? t.getMessage().strip() : t.getClass().getSimpleName());
    }
    return text.toString();
  }
}
