package dev.odc.providers;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A cloud snapshot (EBS snapshot, GCE snapshot).
 *
 * @param id the id other calls take: EBS {@code snap-…}, the GCE snapshot name
 * @param volumeId the source volume's id, null when the cloud no longer knows it
 * @param sizeGb the source volume's size in GiB (what a restore needs at least)
 * @param nativeState the cloud's own state string, kept for logs and diagnostics
 * @param errorMessage the cloud's explanation when {@code state} is {@link SnapshotState#ERROR}
 */
public record CloudSnapshot(
    String id,
    String name,
    String volumeId,
    int sizeGb,
    SnapshotState state,
    String nativeState,
    Map<String, String> tags,
    String errorMessage,
    Instant createdAt) {
  public CloudSnapshot {
    Labels.notBlank(id, "id");
    Objects.requireNonNull(state, "state is required");
    tags = Labels.copy(tags, "tags");
  }

  public Optional<String> error() {
    return Optional.ofNullable(errorMessage);
  }
}
