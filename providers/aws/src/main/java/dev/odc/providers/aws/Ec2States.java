package dev.odc.providers.aws;

import dev.odc.providers.SnapshotState;
import dev.odc.providers.VolumeState;
import java.util.Map;

/**
 * EC2's native volume and snapshot states mapped onto ODC's. The same table is in {@code
 * docs/providers.md}; {@code Ec2StatesTest} checks every state the SDK knows is covered.
 */
public final class Ec2States {
  /** EBS volume {@code State} → ODC. */
  public static final Map<String, VolumeState> VOLUME =
      Map.of(
          "creating", VolumeState.CREATING,
          "available", VolumeState.AVAILABLE,
          "in-use", VolumeState.IN_USE,
          "deleting", VolumeState.DELETING,
          "deleted", VolumeState.DELETED,
          "error", VolumeState.ERROR);

  /**
   * EBS snapshot {@code State} → ODC. {@code recoverable}/{@code recovering} belong to snapshots in
   * the Recycle Bin's restore path: not usable until recovered, so they count as pending.
   */
  public static final Map<String, SnapshotState> SNAPSHOT =
      Map.of(
          "pending", SnapshotState.PENDING,
          "completed", SnapshotState.COMPLETED,
          "error", SnapshotState.ERROR,
          "recoverable", SnapshotState.PENDING,
          "recovering", SnapshotState.PENDING);

  private Ec2States() {}

  /** Maps a native volume state; anything not in the table is {@link VolumeState#UNKNOWN}. */
  public static VolumeState volume(String nativeState) {
    return nativeState == null
        ? VolumeState.UNKNOWN
        : VOLUME.getOrDefault(nativeState, VolumeState.UNKNOWN);
  }

  /** Maps a native snapshot state; anything not in the table is {@link SnapshotState#UNKNOWN}. */
  public static SnapshotState snapshot(String nativeState) {
    return nativeState == null
        ? SnapshotState.UNKNOWN
        : SNAPSHOT.getOrDefault(nativeState, SnapshotState.UNKNOWN);
  }
}
