package dev.odc.providers;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A VolumeSnapshot as the cluster reports it.
 *
 * @param claimName the source PersistentVolumeClaim ({@code spec.source.persistentVolumeClaimName})
 * @param snapshotClass the VolumeSnapshotClass, null when the cluster default applies
 * @param readyToUse {@code status.readyToUse}: the snapshot can be restored from
 * @param restoreSizeBytes {@code status.restoreSize} in bytes, null until the controller reports it
 * @param contentName {@code status.boundVolumeSnapshotContentName}, null until bound
 * @param snapshotHandle the CSI snapshot handle of the bound content, which is the cloud's own
 *     snapshot id (EBS {@code snap-…}, a GCE snapshot path); null until known
 * @param errorMessage {@code status.error.message}, null when there is no error
 */
public record VolumeSnapshotInfo(
    String namespace,
    String name,
    String claimName,
    String snapshotClass,
    boolean readyToUse,
    Long restoreSizeBytes,
    String contentName,
    String snapshotHandle,
    String errorMessage,
    Map<String, String> labels,
    Instant createdAt) {
  private static final long GIB = 1024L * 1024L * 1024L;

  public VolumeSnapshotInfo {
    Labels.notBlank(namespace, "namespace");
    Labels.notBlank(name, "name");
    if (restoreSizeBytes != null && restoreSizeBytes < 0) {
      throw new IllegalArgumentException("restoreSizeBytes must not be negative");
    }
    labels = Labels.copy(labels, "labels");
  }

  /** The restore size rounded up to whole GiB, once reported. */
  public Optional<Integer> restoreSizeGb() {
    return Optional.ofNullable(restoreSizeBytes).map(b -> (int) ((b + GIB - 1) / GIB));
  }

  public Optional<String> error() {
    return Optional.ofNullable(errorMessage);
  }

  public Optional<String> cloudSnapshotId() {
    return Optional.ofNullable(snapshotHandle);
  }

  public boolean failed() {
    return errorMessage != null && !readyToUse;
  }
}
