package dev.odc.core.queue;

import dev.odc.core.Checks;
import java.util.UUID;

/**
 * What the api-service and cronjobs put on the {@code reservations} queue for the processor.
 * Handlers are idempotent: delivery is at least once.
 */
public record ReservationMessage(UUID reservationId, Action action) {
  public ReservationMessage {
    Checks.notNull(reservationId, "reservationId");
    Checks.notNull(action, "action");
  }

  public enum Action {
    /** Find capacity and create the disk, pod and services. */
    PROVISION,
    /** The user or an admin cancelled: tear down, snapshot the disk, mark CANCELLED. */
    CANCEL,
    /** The reservation ran out of time: tear down, snapshot the disk, mark EXPIRED. */
    EXPIRE,
    /** The reservation was extended: nothing to provision, but queued ETAs may change. */
    EXTEND
  }

  public static final String QUEUE = "reservations";
}
