package dev.odc.database;

import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The {@code pod_endpoints} table: where each node of a reservation can be reached from inside the
 * cluster. The processor records it when a pod gets its IP; the api-service's tunnel reads it.
 */
@RegisterConstructorMapper(PodEndpointDao.Endpoint.class)
public interface PodEndpointDao {
  /**
   * @param address the pod's IP (or a host name that resolves to it)
   * @param sshPort the port sshd listens on in the pod
   */
  record Endpoint(UUID reservationId, int nodeIndex, String address, int sshPort) {
    public Endpoint {
      if (address == null || address.isBlank()) {
        throw new IllegalArgumentException("address must not be blank");
      }
      if (nodeIndex < 0) {
        throw new IllegalArgumentException("nodeIndex must not be negative");
      }
      if (sshPort < 1 || sshPort > 65535) {
        throw new IllegalArgumentException("sshPort must be 1-65535, was " + sshPort);
      }
    }
  }

  @SqlQuery(
      "select reservation_id, node_index, address, ssh_port from pod_endpoints"
          + " where reservation_id = :reservationId and node_index = :nodeIndex")
  Optional<Endpoint> find(
      @Bind("reservationId") UUID reservationId, @Bind("nodeIndex") int nodeIndex);

  /** Records (or moves) a node's address. */
  @SqlUpdate(
      "insert into pod_endpoints (reservation_id, node_index, address, ssh_port, updated_at)"
          + " values (:reservationId, :nodeIndex, :address, :sshPort, now())"
          + " on conflict (reservation_id, node_index) do update set address = excluded.address,"
          + " ssh_port = excluded.ssh_port, updated_at = excluded.updated_at")
  void record(
      @Bind("reservationId") UUID reservationId,
      @Bind("nodeIndex") int nodeIndex,
      @Bind("address") String address,
      @Bind("sshPort") int sshPort);

  /** Forgets a reservation's addresses, e.g. when its pods are deleted. */
  @SqlUpdate("delete from pod_endpoints where reservation_id = :reservationId")
  int forget(@Bind("reservationId") UUID reservationId);
}
