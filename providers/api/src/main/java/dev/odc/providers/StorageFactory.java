package dev.odc.providers;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Optional;

/**
 * Configuration of the {@link StorageBackend}: where claims and snapshots live and which classes
 * they use.
 *
 * <pre>{@code
 * storage:
 *   namespace: odc-reservations
 *   storageClass: odc-gp3                # EKS: EBS CSI (ebs.csi.aws.com), type gp3
 *   volumeSnapshotClass: odc-ebs-snapshots
 *   defaultSizeGb: 100
 * }</pre>
 *
 * <p>Defaults per cluster kind, matching the Helm chart's values files: EKS uses a StorageClass of
 * provisioner {@code ebs.csi.aws.com} with {@code type: gp3} ({@code odc-gp3}) and a
 * VolumeSnapshotClass of driver {@code ebs.csi.aws.com} ({@code odc-ebs-snapshots}); GKE uses
 * provisioner {@code pd.csi.storage.gke.io} with {@code type: pd-balanced} ({@code
 * odc-pd-balanced}) and driver {@code pd.csi.storage.gke.io} ({@code odc-pd-snapshots}). A blank
 * class means the cluster's default StorageClass / VolumeSnapshotClass.
 */
public class StorageFactory {
  public static final String DEFAULT_NAMESPACE = "odc-reservations";

  /** Size of a new home disk when none is configured. */
  public static final int DEFAULT_SIZE_GB = 100;

  public static final String ZONE_TOPOLOGY_KEY = dev.odc.core.Labels.ZONE;

  @NotBlank private String namespace = DEFAULT_NAMESPACE;

  private String storageClass;

  private String volumeSnapshotClass;

  @Min(1)
  @Max(65536)
  private int defaultSizeGb = DEFAULT_SIZE_GB;

  @NotBlank private String zoneTopologyKey = ZONE_TOPOLOGY_KEY;

  @NotNull private Duration pollInterval = Duration.ofSeconds(2);

  /**
   * EKS defaults: EBS CSI gp3 and EBS snapshots, as the Helm chart's values-eks.yaml names them.
   */
  public static StorageFactory eks() {
    return new StorageFactory()
        .setStorageClass("odc-gp3")
        .setVolumeSnapshotClass("odc-ebs-snapshots");
  }

  /** GKE defaults: PD CSI pd-balanced and PD snapshots, as values-gke.yaml names them. */
  public static StorageFactory gke() {
    return new StorageFactory()
        .setStorageClass("odc-pd-balanced")
        .setVolumeSnapshotClass("odc-pd-snapshots");
  }

  @JsonProperty
  public String getNamespace() {
    return namespace;
  }

  @JsonProperty
  public StorageFactory setNamespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  @JsonProperty
  public String getStorageClass() {
    return storageClass;
  }

  @JsonProperty
  public StorageFactory setStorageClass(String storageClass) {
    this.storageClass = storageClass;
    return this;
  }

  @JsonProperty
  public String getVolumeSnapshotClass() {
    return volumeSnapshotClass;
  }

  @JsonProperty
  public StorageFactory setVolumeSnapshotClass(String volumeSnapshotClass) {
    this.volumeSnapshotClass = volumeSnapshotClass;
    return this;
  }

  @JsonProperty
  public int getDefaultSizeGb() {
    return defaultSizeGb;
  }

  @JsonProperty
  public StorageFactory setDefaultSizeGb(int defaultSizeGb) {
    this.defaultSizeGb = defaultSizeGb;
    return this;
  }

  @JsonProperty
  public String getZoneTopologyKey() {
    return zoneTopologyKey;
  }

  @JsonProperty
  public StorageFactory setZoneTopologyKey(String zoneTopologyKey) {
    this.zoneTopologyKey = zoneTopologyKey;
    return this;
  }

  /** How often {@link StorageBackend#awaitSnapshotReady} polls; ISO-8601, e.g. {@code PT2S}. */
  @JsonProperty
  public Duration getPollInterval() {
    return pollInterval;
  }

  @JsonProperty
  public StorageFactory setPollInterval(Duration pollInterval) {
    this.pollInterval = pollInterval;
    return this;
  }

  /** The configured StorageClass, empty for the cluster default. */
  public Optional<String> storageClassName() {
    return Optional.ofNullable(storageClass).filter(s -> !s.isBlank());
  }

  /** The configured VolumeSnapshotClass, empty for the cluster default. */
  public Optional<String> volumeSnapshotClassName() {
    return Optional.ofNullable(volumeSnapshotClass).filter(s -> !s.isBlank());
  }
}
