package dev.odc.api.ssh;

import dev.odc.core.Reservation;
import dev.odc.database.PodEndpointDao;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Addresses the processor records in {@code pod_endpoints}: the pod's IP, with its sshd's port for
 * port 22 and the port itself otherwise. A reservation without a recorded address (made before the
 * processor recorded them) falls back to its NodePort endpoint for SSH on its first node.
 */
public class RecordedTunnelTargets implements TunnelTargets {
  private final Jdbi jdbi;

  public RecordedTunnelTargets(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public Optional<InetSocketAddress> resolve(Reservation reservation, int node, int port) {
    Optional<PodEndpointDao.Endpoint> endpoint =
        jdbi.withExtension(PodEndpointDao.class, d -> d.find(reservation.id(), node));
    if (endpoint.isPresent()) {
      PodEndpointDao.Endpoint e = endpoint.get();
      return Optional.of(
          InetSocketAddress.createUnresolved(e.address(), port == 22 ? e.sshPort() : port));
    }
    if (node == 0 && port == 22 && reservation.sshHost() != null && reservation.sshPort() != null) {
      return Optional.of(
          InetSocketAddress.createUnresolved(reservation.sshHost(), reservation.sshPort()));
    }
    return Optional.empty();
  }
}
