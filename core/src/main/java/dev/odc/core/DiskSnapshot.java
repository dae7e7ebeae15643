package dev.odc.core;

import java.time.Instant;
import java.util.UUID;

/**
 * A CSI VolumeSnapshot of a disk.
 *
 * @param cloudSnapshotId the cloud's own id (EBS snap-…, GCE snapshot name), once known
 * @param retainedUntil the snapshot may be deleted after this time, never before
 */
public record DiskSnapshot(
    UUID id,
    UUID diskId,
    String snapshotName,
    String cloudSnapshotId,
    Integer sizeGb,
    boolean ready,
    Instant createdAt,
    Instant retainedUntil,
    Instant deletedAt) {
  public DiskSnapshot {
    Checks.notNull(id, "id");
    Checks.notNull(diskId, "diskId");
    Checks.notBlank(snapshotName, "snapshotName");
    Checks.notNull(createdAt, "createdAt");
  }
}
