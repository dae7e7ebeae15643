package dev.odc.api.ssh;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.service.ReservationService;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.jdbi.v3.core.Jdbi;

/** Wires SSH access into the application: {@code /v1/ssh-keys} and the tunnel. */
public final class SshAccess {
  /** Larger than any message the CLI sends (it sends at most 32 KiB at a time). */
  private static final long MAX_MESSAGE_BYTES = 1024 * 1024;

  /** Bulk transfers (scp, rsync) move in 64 KiB messages; Jetty's default buffers are smaller. */
  private static final int BUFFER_BYTES = 64 * 1024;

  private SshAccess() {}

  /**
   * @param targets where tunnels connect; null for the pod addresses the processor records
   */
  public static void install(
      Environment environment,
      SshConfig config,
      Jdbi jdbi,
      Authenticator<String, OdcPrincipal> authenticator,
      ReservationService reservations,
      TunnelTargets targets,
      Clock clock) {
    environment
        .jersey()
        .register(new SshKeyResource(new SshKeyService(jdbi, config.maxKeysPerUser, clock)));

    OpenTunnels tunnels =
        new OpenTunnels(jdbi, Duration.ofMillis(config.tunnelCheckInterval.toMilliseconds()));
    environment.lifecycle().manage(tunnels);
    Duration idle = Duration.ofMillis(config.tunnelIdleTimeout.toMilliseconds());
    JettyWebSocketServletContainerInitializer.configure(
        environment.getApplicationContext(),
        (context, container) -> {
          container.setIdleTimeout(idle);
          container.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
          container.setInputBufferSize(BUFFER_BYTES);
          container.setOutputBufferSize(BUFFER_BYTES);
        });
    environment
        .servlets()
        .addFilter(
            "tunnel",
            new TunnelFilter(
                authenticator,
                reservations,
                targets != null ? targets : new RecordedTunnelTargets(jdbi),
                tunnels,
                config.ports(),
                Duration.ofMillis(config.tunnelConnectTimeout.toMilliseconds()),
                jdbi,
                environment.getObjectMapper()))
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/v1/reservations/*");
  }
}
