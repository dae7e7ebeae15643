package dev.odc.core;

import java.time.Instant;
import java.util.UUID;

/**
 * A user's persistent home disk. It lives as a PVC while in use and as VolumeSnapshots between
 * reservations.
 *
 * @param inUseBy the reservation holding the disk lock, or null
 * @param orphaned true for disks the reconciliation found in the cluster or cloud without a row
 */
public record Disk(
    UUID id,
    UUID userId,
    String name,
    int sizeGb,
    String storageClass,
    String zone,
    String pvcName,
    UUID inUseBy,
    String lastSnapshotName,
    boolean orphaned,
    Instant createdAt,
    Instant deletedAt) {
  public Disk {
    Checks.notNull(id, "id");
    Checks.notNull(userId, "userId");
    Checks.name(name, "name");
    Checks.positive(sizeGb, "sizeGb");
    Checks.notNull(createdAt, "createdAt");
  }

  public boolean inUse() {
    return inUseBy != null;
  }

  public boolean deleted() {
    return deletedAt != null;
  }
}
