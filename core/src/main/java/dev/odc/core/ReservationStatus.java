package dev.odc.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a reservation.
 *
 * <pre>
 * PENDING → QUEUED → PREPARING → ACTIVE → (EXPIRED | CANCELLED)
 * any non-terminal → FAILED; any non-terminal → CANCELLED
 * </pre>
 *
 * <p>PENDING may go straight to PREPARING when capacity is free, and PREPARING may fall back to
 * QUEUED when the capacity it counted on is taken before its pod is bound. Terminal states never
 * change again.
 */
public enum ReservationStatus {
  PENDING,
  QUEUED,
  PREPARING,
  ACTIVE,
  EXPIRED,
  CANCELLED,
  FAILED;

  public boolean isTerminal() {
    return this == EXPIRED || this == CANCELLED || this == FAILED;
  }

  /** The states this one may move to; empty for terminal states. */
  public Set<ReservationStatus> successors() {
    return switch (this) {
      case PENDING -> EnumSet.of(QUEUED, PREPARING, CANCELLED, FAILED);
      case QUEUED -> EnumSet.of(PREPARING, CANCELLED, FAILED);
      case PREPARING -> EnumSet.of(QUEUED, ACTIVE, CANCELLED, FAILED);
      case ACTIVE -> EnumSet.of(EXPIRED, CANCELLED, FAILED);
      case EXPIRED, CANCELLED, FAILED -> EnumSet.noneOf(ReservationStatus.class);
    };
  }

  public boolean canTransitionTo(ReservationStatus next) {
    return successors().contains(next);
  }

  /** Statuses in which a reservation holds or waits for GPUs. */
  public static Set<ReservationStatus> live() {
    return EnumSet.of(PENDING, QUEUED, PREPARING, ACTIVE);
  }

  /**
   * Checks that this state may move to {@code next}.
   *
   * @throws InvalidTransitionException naming both states when it may not
   */
  public ReservationStatus checkTransitionTo(ReservationStatus next) {
    Checks.notNull(next, "status");
    if (!canTransitionTo(next)) {
      throw new InvalidTransitionException(this, next);
    }
    return next;
  }
}
