package dev.odc.providers.gcp;

import dev.odc.providers.SnapshotState;
import dev.odc.providers.VolumeState;
import java.util.Map;

/**
 * Compute Engine's native disk and snapshot statuses mapped onto ODC's. The same table is in {@code
 * docs/providers.md}; {@code GceStatesTest} checks every status the client library knows.
 */
public final class GceStates {
  /**
   * Disk {@code status} → ODC. GCE has no separate "attached" status: a {@code READY} disk with
   * {@code users} is {@link VolumeState#IN_USE} (see {@link #volume(String, boolean)}).
   */
  public static final Map<String, VolumeState> VOLUME =
      Map.of(
          "CREATING", VolumeState.CREATING,
          "RESTORING", VolumeState.CREATING,
          "READY", VolumeState.AVAILABLE,
          "FAILED", VolumeState.ERROR,
          "DELETING", VolumeState.DELETING,
          "UNAVAILABLE", VolumeState.ERROR);

  /** Snapshot {@code status} → ODC. */
  public static final Map<String, SnapshotState> SNAPSHOT =
      Map.of(
          "CREATING", SnapshotState.PENDING,
          "UPLOADING", SnapshotState.PENDING,
          "READY", SnapshotState.COMPLETED,
          "FAILED", SnapshotState.ERROR,
          "DELETING", SnapshotState.DELETING);

  private GceStates() {}

  /** Maps a disk status; a ready disk with users is in use; unknown values are UNKNOWN. */
  public static VolumeState volume(String status, boolean hasUsers) {
    VolumeState state =
        status == null ? VolumeState.UNKNOWN : VOLUME.getOrDefault(status, VolumeState.UNKNOWN);
    return state == VolumeState.AVAILABLE && hasUsers ? VolumeState.IN_USE : state;
  }

  /** Maps a snapshot status; unknown values are UNKNOWN. */
  public static SnapshotState snapshot(String status) {
    return status == null
        ? SnapshotState.UNKNOWN
        : SNAPSHOT.getOrDefault(status, SnapshotState.UNKNOWN);
  }
}
