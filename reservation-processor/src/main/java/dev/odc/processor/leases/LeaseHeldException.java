package dev.odc.processor.leases;

import java.util.UUID;

/** Another live processor holds the reservation's lease; the message comes back later. */
public final class LeaseHeldException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LeaseHeldException(UUID id) {
    super("reservation " + id + " is being worked on by another processor");
  }
}
