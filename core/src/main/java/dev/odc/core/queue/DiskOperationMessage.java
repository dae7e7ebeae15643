package dev.odc.core.queue;

import dev.odc.core.Checks;
import java.util.UUID;

/** What goes on the {@code disk_operations} queue: work on a disk outside a reservation. */
public record DiskOperationMessage(UUID diskId, Operation operation) {
  public DiskOperationMessage {
    Checks.notNull(diskId, "diskId");
    Checks.notNull(operation, "operation");
  }

  public enum Operation {
    /** Take a snapshot of the disk's PVC. */
    SNAPSHOT,
    /** The disk was soft-deleted: remove its PVC; snapshots go by retention. */
    DELETE
  }

  public static final String QUEUE = "disk_operations";
}
