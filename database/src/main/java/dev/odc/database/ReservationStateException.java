package dev.odc.database;

import dev.odc.core.ReservationStatus;
import java.util.UUID;

/** An operation that the reservation's current status does not allow (e.g. extend a FAILED one). */
public final class ReservationStateException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final ReservationStatus status;

  public ReservationStateException(UUID id, ReservationStatus status, String message) {
    super("reservation " + id + " is " + status + ": " + message);
    this.status = status;
  }

  public ReservationStatus status() {
    return status;
  }
}
