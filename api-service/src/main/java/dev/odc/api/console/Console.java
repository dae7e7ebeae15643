package dev.odc.api.console;

import dev.odc.api.ApiConfiguration;
import dev.odc.api.auth.OidcAuthProvider;
import dev.odc.api.service.AuditService;
import dev.odc.api.service.AvailabilityService;
import dev.odc.api.service.DiskService;
import dev.odc.api.service.ReservationService;
import dev.odc.api.service.UserService;
import io.dropwizard.core.setup.Environment;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the web console into the api-service's Jersey environment. */
public final class Console {
  private static final Logger log = LoggerFactory.getLogger(Console.class);

  private Console() {}

  /**
   * Registers the console's pages, assets, login and JSON calls, unless {@code console.enabled} is
   * false. The console logs in through the same issuer whose tokens {@code oidc} verifies.
   */
  public static void register(
      Environment environment,
      ApiConfiguration config,
      Jdbi jdbi,
      OidcAuthProvider oidc,
      Clock clock) {
    ConsoleConfig console = config.getConsole();
    if (!console.enabled) {
      log.info("Web console disabled (console.enabled: false)");
      return;
    }
    ConsoleHttp http = new ConsoleHttp(console);
    ConsoleSessions sessions = new ConsoleSessions(jdbi, console, clock);
    OidcCodeFlow flow = new OidcCodeFlow(config.getOidc(), console);
    environment.jersey().register(new ConsoleSessionFilter(sessions, http));
    environment.jersey().register(new ConsoleHeaders());
    environment.jersey().register(new ConsoleAuthResource(flow, oidc, sessions, http));
    environment.jersey().register(new ConsolePages());
    environment.jersey().register(new ConsoleAssets());
    environment
        .jersey()
        .register(
            new ConsoleApiResource(
                new ReservationService(jdbi, config.getLimits(), config.getDefaultImage(), clock),
                new DiskService(jdbi, config.getLimits(), clock),
                new AuditService(jdbi),
                new AvailabilityService(jdbi, config.isSimulatedCluster(), clock),
                new UserService(jdbi),
                config.getLimits()));
    log.info("Web console at / logs in with OIDC client {}", flow.clientId());
  }
}
