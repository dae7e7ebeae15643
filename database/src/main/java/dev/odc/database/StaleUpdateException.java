package dev.odc.database;

import java.util.UUID;

/**
 * An update based on an out-of-date copy of a row: someone else changed it first. Nothing was
 * written; reload the row and decide again.
 */
public final class StaleUpdateException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final UUID id;
  private final long expectedVersion;

  public StaleUpdateException(String resource, UUID id, long expectedVersion) {
    super(
        resource
            + " "
            + id
            + " was changed by someone else (expected version "
            + expectedVersion
            + ")");
    this.id = id;
    this.expectedVersion = expectedVersion;
  }

  public UUID id() {
    return id;
  }

  public long expectedVersion() {
    return expectedVersion;
  }
}
