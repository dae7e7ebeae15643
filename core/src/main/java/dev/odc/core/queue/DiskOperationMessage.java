package dev.odc.core.queue;

import dev.odc.core.Checks;
import java.util.UUID;

/** What goes on the {@code disk_operations} queue: work on a disk outside a reservation. */
public record DiskOperationMessage(UUID diskId, Operation operation) {
  public DiskOperationMessage {
    Checks.notNull(diskId, "diskId");
    Checks.notNull(operation, "operation");
  }

  /**
   * The operations. Snapshots are not among them: the processor takes one whenever a reservation
   * releases its disk.
   */
  public enum Operation {
    /** The disk was soft-deleted: remove its PVC; snapshots go by retention. */
    DELETE
  }

  public static final String QUEUE = "disk_operations";
}
