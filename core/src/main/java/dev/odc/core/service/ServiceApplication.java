package dev.odc.core.service;

import dev.odc.core.Json;
import dev.odc.core.metrics.PrometheusServlet;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.CheckCommand;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * What the three ODC services (api-service, reservation-processor, cronjobs) share as Dropwizard
 * applications: the config file's {@code ${VAR}}s are replaced from the environment (strictly: an
 * unset variable without a default stops start-up and is named), the object mapper speaks ODC's
 * JSON, the admin port serves Prometheus text at {@code /prometheus}, and {@code check} prints its
 * verdict itself.
 *
 * <p>Dropwizard's own {@code check} only logs "Configuration is OK" through the configured,
 * asynchronous appender; when the JVM exits before the appender's thread has written it (seen on a
 * loaded machine) the command succeeds silently. Here the verdict goes to stdout before the command
 * returns.
 */
public abstract class ServiceApplication<T extends Configuration> extends Application<T> {
  /** What {@code check} prints for a valid configuration file. */
  public static final String CONFIGURATION_OK = "Configuration is OK";

  @Override
  public void initialize(Bootstrap<T> bootstrap) {
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true)));
    Json.configure(bootstrap.getObjectMapper());
  }

  @Override
  protected void addDefaultCommands(Bootstrap<T> bootstrap) {
    bootstrap.addCommand(new ServerCommand<>(this));
    bootstrap.addCommand(new PrintingCheckCommand<>(this));
  }

  /** Serves the service's metrics as Prometheus text on the admin port's {@code /prometheus}. */
  protected static void servePrometheus(Environment environment) {
    environment
        .admin()
        .addServlet("prometheus", new PrometheusServlet(environment.metrics()))
        .addMapping("/prometheus");
  }

  /** Dropwizard's {@code check}, with the verdict printed synchronously. */
  static final class PrintingCheckCommand<T extends Configuration> extends CheckCommand<T> {
    PrintingCheckCommand(Application<T> application) {
      super(application);
    }

    @Override
    protected void run(Bootstrap<T> bootstrap, Namespace namespace, T configuration) {
      System.out.println(CONFIGURATION_OK);
      System.out.flush();
    }
  }
}
