package dev.odc.providers;

import java.util.Map;
import java.util.Optional;

/**
 * What {@link StorageBackend#createSnapshot} creates: a VolumeSnapshot of one claim.
 *
 * @param namespace namespace of both the claim and the snapshot
 * @param name the snapshot's name; deterministic so a repeated request finds the first snapshot
 * @param claimName the PersistentVolumeClaim to snapshot
 * @param snapshotClass the VolumeSnapshotClass; null for the backend's configured default
 * @param labels labels for the snapshot (for example {@code odc.dev/disk-id})
 */
public record SnapshotSpec(
    String namespace,
    String name,
    String claimName,
    String snapshotClass,
    Map<String, String> labels) {
  public SnapshotSpec {
    Labels.kubernetesName(namespace, "namespace");
    Labels.kubernetesName(name, "name");
    Labels.kubernetesName(claimName, "claimName");
    snapshotClass = Labels.optional(snapshotClass);
    labels = Labels.copy(labels, "labels");
  }

  public static SnapshotSpec of(
      String namespace, String name, String claimName, Map<String, String> labels) {
    return new SnapshotSpec(namespace, name, claimName, null, labels);
  }

  public Optional<String> snapshotClassName() {
    return Optional.ofNullable(snapshotClass);
  }
}
