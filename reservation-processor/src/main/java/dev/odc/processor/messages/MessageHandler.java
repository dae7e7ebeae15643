package dev.odc.processor.messages;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.processor.ReservationReads;
import dev.odc.processor.leases.LeaseHeldException;
import dev.odc.processor.leases.Leases;
import dev.odc.processor.provisioning.Provisioner;
import dev.odc.processor.queue.QueueRefresher;
import dev.odc.processor.status.FailureMessages;
import dev.odc.processor.teardown.Teardown;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches {@code reservations} queue messages under the reservation's lease, and turns a message
 * that used up its deliveries (a dead letter) into a failed or ended reservation.
 */
public final class MessageHandler {
  private static final Logger log = LoggerFactory.getLogger(MessageHandler.class);

  private final ReservationReads reads;
  private final Leases leases;
  private final Provisioner provisioner;
  private final Teardown teardown;
  private final QueueRefresher queue;
  private final int maxDeliveries;

  public MessageHandler(
      ReservationReads reads,
      Leases leases,
      Provisioner provisioner,
      Teardown teardown,
      QueueRefresher queue,
      int maxDeliveries) {
    this.reads = Objects.requireNonNull(reads, "reads is null");
    this.leases = Objects.requireNonNull(leases, "leases is null");
    this.provisioner = Objects.requireNonNull(provisioner, "provisioner is null");
    this.teardown = Objects.requireNonNull(teardown, "teardown is null");
    this.queue = Objects.requireNonNull(queue, "queue is null");
    this.maxDeliveries = maxDeliveries;
  }

  /**
   * Handles one message; idempotent. Throws to have the message redelivered.
   *
   * @throws LeaseHeldException when another live processor holds the reservation
   */
  public void handle(ReservationMessage message) {
    Optional<Reservation> found = reads.find(message.reservationId());
    if (found.isEmpty()) {
      log.warn("Dropping {} for unknown reservation {}", message.action(), message.reservationId());
      return;
    }
    UUID id = message.reservationId();
    if (!leases.acquire(id)) {
      if (message.action() == ReservationMessage.Action.PROVISION) {
        // the holder is working on it; if it dies, the sweep re-sends PROVISION after the TTL
        log.debug("Reservation {} is leased by another processor; leaving it", id);
        return;
      }
      throw new LeaseHeldException(id);
    }
    try {
      switch (message.action()) {
        case PROVISION -> provisioner.provision(id);
        case CANCEL -> teardown.end(id, ReservationStatus.CANCELLED, "cancelled");
        case EXPIRE -> teardown.end(id, ReservationStatus.EXPIRED, "expired");
        case EXTEND -> queue.schedule(found.get().gpuType());
      }
    } finally {
      leases.release(id);
    }
  }

  /** The message used up its deliveries: {@code lastError} is null when the processor stopped. */
  public void deadLetter(ReservationMessage message, Exception lastError) {
    if (message == null) {
      return;
    }
    String why =
        lastError == null
            ? "the processor stopped while working on it"
            : FailureMessages.describe(lastError);
    log.warn(
        "Giving up on {} of reservation {}: {}", message.action(), message.reservationId(), why);
    if (message.action() == ReservationMessage.Action.PROVISION) {
      teardown.fail(
          message.reservationId(),
          "the server could not be provisioned after " + maxDeliveries + " attempts: " + why);
    } else if (message.action() != ReservationMessage.Action.EXTEND) {
      teardown.end(
          message.reservationId(),
          message.action() == ReservationMessage.Action.EXPIRE
              ? ReservationStatus.EXPIRED
              : ReservationStatus.CANCELLED,
          "teardown after dead letter");
    }
  }
}
