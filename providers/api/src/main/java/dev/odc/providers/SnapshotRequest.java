package dev.odc.providers;

import java.util.Map;

/**
 * A snapshot to take through {@link CloudProvider#createSnapshot}.
 *
 * @param volumeId the volume to snapshot
 * @param name a name (GCE snapshot name; an EC2 {@code Name} tag), DNS-1123 label
 * @param description free text, may be empty
 * @param tags tags (EC2) or labels (GCE) to put on the snapshot
 */
public record SnapshotRequest(
    String volumeId, String name, String description, Map<String, String> tags) {
  public SnapshotRequest {
    Labels.notBlank(volumeId, "volumeId");
    Labels.kubernetesName(name, "name");
    description = description == null ? "" : description;
    tags = Labels.copy(tags, "tags");
  }
}
