package dev.odc.core;

import java.time.Instant;
import java.util.UUID;

/**
 * A CSI VolumeSnapshot of a disk.
 *
 * @param cloudSnapshotId the cloud's own id (EBS snap-…, GCE snapshot name), once known
 * @param ready the VolumeSnapshot is ready to use (restorable)
 * @param retainedUntil the snapshot may be deleted after this time, never before; null (what a
 *     release writes) leaves it to the retention policy
 * @param failure why the snapshot failed (the snapshot controller's error, or that it was not ready
 *     in time); null while pending and once ready
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
    Instant deletedAt,
    String failure) {
  public DiskSnapshot {
    Checks.notNull(id, "id");
    Checks.notNull(diskId, "diskId");
    Checks.notBlank(snapshotName, "snapshotName");
    Checks.notNull(createdAt, "createdAt");
    if (ready && failure != null) {
      throw new IllegalArgumentException("a ready snapshot has no failure");
    }
  }

  /**
   * The row a release writes for the VolumeSnapshot it just created: pending, no retention date of
   * its own (the retention policy decides), size as the disk's until the controller reports it.
   */
  public static DiskSnapshot released(
      UUID id, UUID diskId, String snapshotName, Integer sizeGb, Instant createdAt) {
    return new DiskSnapshot(
        id, diskId, snapshotName, null, sizeGb, false, createdAt, null, null, null);
  }

  /** Neither ready nor failed: the snapshot controller is still working on it. */
  public boolean pending() {
    return !ready && failure == null;
  }

  /** The snapshot failed: it can never be restored from. */
  public boolean failed() {
    return failure != null;
  }
}
