package dev.odc.core;

/** A status change that the reservation state machine does not allow. */
public final class InvalidTransitionException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final ReservationStatus from;
  private final ReservationStatus to;

  public InvalidTransitionException(ReservationStatus from, ReservationStatus to) {
    super(
        "status cannot change from "
            + from
            + " to "
            + to
            + (from.isTerminal() ? " (" + from + " is final)" : ""));
    this.from = from;
    this.to = to;
  }

  public ReservationStatus from() {
    return from;
  }

  public ReservationStatus to() {
    return to;
  }
}
