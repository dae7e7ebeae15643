package dev.odc.providers;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A PersistentVolumeClaim as the cluster reports it.
 *
 * @param sizeGb requested size in GiB ({@code spec.resources.requests.storage}, rounded up)
 * @param capacityGb provisioned size in GiB once bound ({@code status.capacity.storage}), else null
 * @param storageClass the claim's StorageClass, null when the cluster default applies
 * @param zone the zone ODC asked for (from the claim's zone annotation), null when none
 * @param volumeName the bound PersistentVolume, null until bound
 * @param fromSnapshot the VolumeSnapshot the claim was restored from, null for an empty volume
 */
public record VolumeClaim(
    String namespace,
    String name,
    int sizeGb,
    Integer capacityGb,
    String storageClass,
    String zone,
    ClaimPhase phase,
    String volumeName,
    Map<String, String> labels,
    String fromSnapshot,
    Instant createdAt) {
  public VolumeClaim {
    Labels.notBlank(namespace, "namespace");
    Labels.notBlank(name, "name");
    Objects.requireNonNull(phase, "phase is required");
    labels = Labels.copy(labels, "labels");
  }

  public boolean bound() {
    return phase == ClaimPhase.BOUND;
  }

  public Optional<String> boundVolume() {
    return Optional.ofNullable(volumeName);
  }

  public Optional<String> zoneName() {
    return Optional.ofNullable(zone);
  }

  public Optional<String> snapshotSource() {
    return Optional.ofNullable(fromSnapshot);
  }
}
