package dev.odc.api.ssh;

import dev.odc.core.Reservation;
import java.net.InetSocketAddress;
import java.util.Optional;

/** Where the tunnel connects for a port of one node of a reservation. */
@FunctionalInterface
public interface TunnelTargets {
  /**
   * The address to connect to. Called only for an ACTIVE reservation, a node index below its node
   * count and an allowed port.
   *
   * @param port the port in the server's terms: 22 is its sshd, wherever that really listens
   * @return empty when the node's address is not known (yet)
   */
  Optional<InetSocketAddress> resolve(Reservation reservation, int node, int port);
}
