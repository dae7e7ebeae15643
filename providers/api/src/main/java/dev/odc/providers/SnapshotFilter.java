package dev.odc.providers;

import java.util.Map;
import java.util.Optional;

/**
 * Which snapshots {@link CloudProvider#listSnapshots} returns: all conditions must hold.
 *
 * @param tags tags (labels) every returned snapshot carries; empty for no tag condition
 * @param volumeId only snapshots of this volume; null for any volume
 */
public record SnapshotFilter(Map<String, String> tags, String volumeId) {
  public SnapshotFilter {
    tags = Labels.copy(tags, "tags");
    volumeId = Labels.optional(volumeId);
  }

  public static SnapshotFilter byTags(Map<String, String> tags) {
    return new SnapshotFilter(tags, null);
  }

  public static SnapshotFilter byVolume(String volumeId) {
    return new SnapshotFilter(Map.of(), volumeId);
  }

  public Optional<String> volume() {
    return Optional.ofNullable(volumeId);
  }

  /** True when {@code snapshot} satisfies the filter; backends use it after a coarse API query. */
  public boolean matches(CloudSnapshot snapshot) {
    if (volumeId != null && !volumeId.equals(snapshot.volumeId())) {
      return false;
    }
    return snapshot.tags().entrySet().containsAll(tags.entrySet());
  }
}
