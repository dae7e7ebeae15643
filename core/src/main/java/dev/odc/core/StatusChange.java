package dev.odc.core;

import java.time.Instant;

/** One step of a reservation's status history. {@code reason} may be null. */
public record StatusChange(ReservationStatus status, Instant at, String actor, String reason) {
  public StatusChange {
    Checks.notNull(status, "status");
    Checks.notNull(at, "at");
    Checks.notBlank(actor, "actor");
  }
}
