package dev.odc.providers;

import java.util.Map;
import java.util.Optional;

/**
 * What {@link StorageBackend#ensureClaim} creates: a PersistentVolumeClaim for one disk.
 *
 * @param namespace the claim's namespace
 * @param name the claim's name; deterministic per disk so a repeated request finds the first claim
 * @param sizeGb requested size in GiB, at least 1
 * @param storageClass the StorageClass; null for the backend's configured default
 * @param zone the zone the volume must live in; null to let the scheduler choose
 * @param labels labels for the claim (for example {@code odc.dev/disk-id})
 * @param fromSnapshot name of a VolumeSnapshot in the same namespace to restore from; null for an
 *     empty volume
 */
public record ClaimSpec(
    String namespace,
    String name,
    int sizeGb,
    String storageClass,
    String zone,
    Map<String, String> labels,
    String fromSnapshot) {
  public ClaimSpec {
    Labels.kubernetesName(namespace, "namespace");
    Labels.kubernetesName(name, "name");
    if (sizeGb < 1) {
      throw new IllegalArgumentException("sizeGb must be at least 1, was " + sizeGb);
    }
    storageClass = Labels.optional(storageClass);
    zone = Labels.optional(zone);
    labels = Labels.copy(labels, "labels");
    fromSnapshot = Labels.optional(fromSnapshot);
    if (fromSnapshot != null) {
      Labels.kubernetesName(fromSnapshot, "fromSnapshot");
    }
  }

  /** An empty claim with the default storage class and no zone. */
  public static ClaimSpec of(String namespace, String name, int sizeGb) {
    return new ClaimSpec(namespace, name, sizeGb, null, null, Map.of(), null);
  }

  public ClaimSpec withZone(String newZone) {
    return new ClaimSpec(namespace, name, sizeGb, storageClass, newZone, labels, fromSnapshot);
  }

  public ClaimSpec withLabels(Map<String, String> newLabels) {
    return new ClaimSpec(namespace, name, sizeGb, storageClass, zone, newLabels, fromSnapshot);
  }

  public ClaimSpec withStorageClass(String newStorageClass) {
    return new ClaimSpec(namespace, name, sizeGb, newStorageClass, zone, labels, fromSnapshot);
  }

  public ClaimSpec restoredFrom(String snapshotName) {
    return new ClaimSpec(namespace, name, sizeGb, storageClass, zone, labels, snapshotName);
  }

  public Optional<String> storageClassName() {
    return Optional.ofNullable(storageClass);
  }

  public Optional<String> zoneName() {
    return Optional.ofNullable(zone);
  }

  public Optional<String> snapshotSource() {
    return Optional.ofNullable(fromSnapshot);
  }
}
