package dev.odc.api.ssh;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** The {@code ssh} section: users' public keys and the tunnel to their servers. */
public class SshConfig {
  /** The most public keys one user may register. */
  @JsonProperty
  @Min(1)
  public int maxKeysPerUser = 10;

  /**
   * Ports of a server the tunnel may reach: single ports and {@code FROM-TO} ranges. Keep it in
   * step with the chart's NetworkPolicy, which lets only the api-service reach these ports.
   */
  @JsonProperty @NotEmpty
  public List<String> tunnelPorts = List.of("22", "5678", "6006", "8000-8099", "8888-8899");

  /** A tunnel with no traffic either way (the CLI pings every 30 s) is closed after this. */
  @JsonProperty @NotNull public Duration tunnelIdleTimeout = Duration.minutes(10);

  /** How often open tunnels are checked against their reservation's status. */
  @JsonProperty @NotNull public Duration tunnelCheckInterval = Duration.seconds(5);

  /** How long the api-service waits for a server's port to accept a connection. */
  @JsonProperty @NotNull public Duration tunnelConnectTimeout = Duration.seconds(5);

  /** The parsed {@link #tunnelPorts}. */
  public PortRanges ports() {
    return PortRanges.parse(tunnelPorts);
  }
}
