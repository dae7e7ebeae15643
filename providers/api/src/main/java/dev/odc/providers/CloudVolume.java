package dev.odc.providers;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A cloud block volume (EBS volume, GCE persistent disk).
 *
 * @param id the id other calls take: EBS {@code vol-…}, the GCE disk name
 * @param nativeState the cloud's own state string, kept for logs and diagnostics
 * @param attachedTo ids of the instances the volume is attached to; empty when none
 * @param snapshotId the snapshot the volume was created from, null when none
 */
public record CloudVolume(
    String id,
    String name,
    String zone,
    int sizeGb,
    String volumeType,
    VolumeState state,
    String nativeState,
    Map<String, String> tags,
    List<String> attachedTo,
    String snapshotId,
    Instant createdAt) {
  public CloudVolume {
    Labels.notBlank(id, "id");
    Objects.requireNonNull(state, "state is required");
    tags = Labels.copy(tags, "tags");
    attachedTo = attachedTo == null ? List.of() : List.copyOf(attachedTo);
  }

  public Optional<String> sourceSnapshot() {
    return Optional.ofNullable(snapshotId);
  }
}
