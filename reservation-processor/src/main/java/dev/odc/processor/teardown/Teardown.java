package dev.odc.processor.teardown;

import dev.odc.core.InvalidTransitionException;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.database.ReservationChanges;
import dev.odc.database.Reservations;
import dev.odc.database.StaleUpdateException;
import dev.odc.processor.Processor;
import dev.odc.processor.ReservationReads;
import dev.odc.processor.Step;
import dev.odc.processor.Steps;
import dev.odc.processor.provisioning.HomeDisk;
import dev.odc.processor.provisioning.OwnerConfigMap;
import dev.odc.processor.provisioning.ReservationServices;
import dev.odc.processor.provisioning.ServerPods;
import dev.odc.processor.queue.QueueRefresher;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends reservations: FAILED with a reason, or CANCELLED/EXPIRED on request, and in each case
 * removes what the reservation had in the cluster, snapshots and releases its disk, and lets the
 * queue of its GPU type move.
 */
public final class Teardown {
  private static final Logger log = LoggerFactory.getLogger(Teardown.class);

  /** Attempts at moving to FAILED while other writers change the row. */
  private static final int FAIL_ATTEMPTS = 3;

  private final Reservations reservations;
  private final ReservationReads reads;
  private final Steps steps;
  private final ServerPods pods;
  private final ReservationServices services;
  private final OwnerConfigMap owner;
  private final HomeDisk homeDisk;
  private final QueueRefresher queue;

  public Teardown(
      Reservations reservations,
      ReservationReads reads,
      Steps steps,
      ServerPods pods,
      ReservationServices services,
      OwnerConfigMap owner,
      HomeDisk homeDisk,
      QueueRefresher queue) {
    this.reservations = Objects.requireNonNull(reservations, "reservations is null");
    this.reads = Objects.requireNonNull(reads, "reads is null");
    this.steps = Objects.requireNonNull(steps, "steps is null");
    this.pods = Objects.requireNonNull(pods, "pods is null");
    this.services = Objects.requireNonNull(services, "services is null");
    this.owner = Objects.requireNonNull(owner, "owner is null");
    this.homeDisk = Objects.requireNonNull(homeDisk, "homeDisk is null");
    this.queue = Objects.requireNonNull(queue, "queue is null");
  }

  /** Marks the reservation FAILED with {@code reason} and removes what it had in the cluster. */
  public void fail(UUID id, String reason) {
    for (int attempt = 0; attempt < FAIL_ATTEMPTS; attempt++) {
      Reservation r = reads.reload(id);
      if (r.status().isTerminal()) {
        cleanup(r);
        return;
      }
      try {
        Reservation failed =
            reservations.transition(
                id,
                r.version(),
                ReservationStatus.FAILED,
                Processor.ACTOR,
                reason,
                ReservationChanges.none().failureReason(reason));
        log.info("Reservation {} FAILED: {}", failed.shortId(), reason);
        cleanup(failed);
        return;
      } catch (StaleUpdateException e) {
        log.debug("Reservation {} changed while failing it; retrying", id);
      }
    }
    throw new StaleUpdateException("reservation", id, -1);
  }

  /** CANCEL and EXPIRE: remove everything, snapshot the disk, release it, end the reservation. */
  public void end(UUID id, ReservationStatus target, String reason) {
    Reservation r = reads.reload(id);
    cleanup(r);
    r = reads.reload(id);
    if (!r.status().isTerminal()) {
      ReservationStatus to =
          r.status().canTransitionTo(target) ? target : ReservationStatus.CANCELLED;
      try {
        reservations.transition(id, r.version(), to, Processor.ACTOR, reason);
      } catch (StaleUpdateException | InvalidTransitionException e) {
        Reservation again = reads.reload(id);
        if (!again.status().isTerminal()) {
          throw e;
        }
      }
    }
  }

  /**
   * Idempotent: pods, services and owner gone, disk snapshot requested and recorded, lock released.
   */
  public void cleanup(Reservation r) {
    steps.before(Step.TEARDOWN_PODS, r);
    pods.delete(r.id());
    services.delete(r.id());
    owner.delete(r.id());
    homeDisk.release(r, steps);
    pods.forget(r.id());
    queue.schedule(r.gpuType());
  }
}
