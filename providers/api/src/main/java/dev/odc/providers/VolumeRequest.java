package dev.odc.providers;

import java.util.Map;
import java.util.Optional;

/**
 * A block volume to create through {@link CloudProvider#createVolume}.
 *
 * @param name a name for the volume (GCE disk name; an EC2 {@code Name} tag), DNS-1123 label
 * @param zone the availability zone, for example {@code us-east-1a} or {@code europe-west4-b}
 * @param sizeGb size in GiB, at least 1
 * @param volumeType the cloud's volume type (EBS {@code gp3}, GCE {@code pd-balanced}); null for
 *     the provider's configured default
 * @param tags tags (EC2) or labels (GCE) to put on the volume
 * @param fromSnapshotId restore from this cloud snapshot id; null for an empty volume
 */
public record VolumeRequest(
    String name,
    String zone,
    int sizeGb,
    String volumeType,
    Map<String, String> tags,
    String fromSnapshotId) {
  public VolumeRequest {
    Labels.kubernetesName(name, "name");
    Labels.notBlank(zone, "zone");
    if (sizeGb < 1) {
      throw new IllegalArgumentException("sizeGb must be at least 1, was " + sizeGb);
    }
    volumeType = Labels.optional(volumeType);
    tags = Labels.copy(tags, "tags");
    fromSnapshotId = Labels.optional(fromSnapshotId);
  }

  public static VolumeRequest of(String name, String zone, int sizeGb, Map<String, String> tags) {
    return new VolumeRequest(name, zone, sizeGb, null, tags, null);
  }

  public VolumeRequest restoredFrom(String snapshotId) {
    return new VolumeRequest(name, zone, sizeGb, volumeType, tags, snapshotId);
  }

  public Optional<String> type() {
    return Optional.ofNullable(volumeType);
  }

  public Optional<String> snapshotSource() {
    return Optional.ofNullable(fromSnapshotId);
  }
}
