package dev.odc.database;

import java.util.UUID;

/** The reservation an operation names does not exist. */
public final class ReservationNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final UUID id;

  public ReservationNotFoundException(UUID id) {
    super("reservation " + id + " does not exist");
    this.id = id;
  }

  public UUID id() {
    return id;
  }
}
