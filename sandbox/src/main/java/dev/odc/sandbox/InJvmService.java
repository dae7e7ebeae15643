package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.ConfiguredBundle;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.util.JarLocation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of ODC's Dropwizard applications running inside the launcher's JVM, as its {@code server}
 * command would run it, but without {@code System.exit} on failure and with the Jetty server kept
 * so that the sandbox stops the services in order (before the database they use).
 */
final class InJvmService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InJvmService.class);

  private final String name;
  private final Server server;

  private InJvmService(String name, Server server) {
    this.name = name;
    this.server = server;
  }

  /**
   * Runs {@code application}'s server command with {@code configFile}; returns once the server has
   * started.
   *
   * @throws ServiceStartException when the configuration is rejected or start-up fails
   */
  static <C extends Configuration> InJvmService start(
      String name, Application<C> application, Path configFile) throws ServiceStartException {
    requireNonNull(application, "application is null");
    Bootstrap<C> bootstrap = new Bootstrap<>(application);
    bootstrap.addCommand(new ServerCommand<>(application));
    application.initialize(bootstrap);
    AtomicReference<Server> started = new AtomicReference<>();
    bootstrap.addBundle(
        new ConfiguredBundle<Configuration>() {
          @Override
          public void run(Configuration configuration, Environment environment) {
            environment
                .lifecycle()
                .addServerLifecycleListener(
                    server -> {
                      // The sandbox's own shutdown hook stops the services, in order.
                      server.setStopAtShutdown(false);
                      started.set(server);
                    });
          }
        });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli cli = new Cli(new JarLocation(application.getClass()), bootstrap, out, err);
    Optional<Throwable> failure = cli.run("server", configFile.toAbsolutePath().toString());
    if (failure.isPresent() || started.get() == null) {
      String details = err.toString(StandardCharsets.UTF_8).strip();
      throw new ServiceStartException(
          "the "
              + name
              + " did not start"
              + failure.map(t -> ": " + rootMessage(t)).orElse("")
              + (details.isEmpty() ? "" : "\n" + details)
              + "\n(configuration: "
              + configFile
              + ")",
          failure.orElse(null));
    }
    log.info("The {} is running", name);
    return new InJvmService(name, started.get());
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root + ")";
  }

  String name() {
    return name;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("The {} did not stop cleanly", name, e);
    }
  }
}
