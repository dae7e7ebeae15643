package dev.odc.database.testing;

import dev.odc.database.PodEndpointDao;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * What the processor records once a reservation's pod runs, for tests and benchmarks whose "pod" is
 * a process on loopback: the reservation becomes ACTIVE and its node 0 is at {@code address}.
 */
public final class PodStandIn {
  private PodStandIn() {}

  /**
   * @param sshPort where the stand-in's sshd listens (the tunnel's port 22); other ports of the
   *     tunnel go to the same numbers on {@code address}
   */
  public static void running(Jdbi jdbi, UUID reservation, String address, int sshPort) {
    jdbi.useTransaction(
        h -> {
          h.createUpdate(
                  "update reservations set status = 'ACTIVE', started_at = now(),"
                      + " expires_at = now() + interval '1 hour', version = version + 1"
                      + " where id = :id")
              .bind("id", reservation)
              .execute();
          h.attach(PodEndpointDao.class).record(reservation, 0, address, sshPort);
        });
  }
}
