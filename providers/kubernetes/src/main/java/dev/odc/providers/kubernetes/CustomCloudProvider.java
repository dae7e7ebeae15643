package dev.odc.providers.kubernetes;

import dev.odc.providers.Capability;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudSnapshot;
import dev.odc.providers.CloudVolume;
import dev.odc.providers.ObjectLocation;
import dev.odc.providers.ProviderUnsupportedException;
import dev.odc.providers.SnapshotFilter;
import dev.odc.providers.SnapshotRequest;
import dev.odc.providers.VolumeRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code custom} provider: any Kubernetes cluster with a CSI driver, and no cloud API ODC can
 * call. Storage goes entirely through {@link KubernetesStorageBackend}; every cloud operation here
 * throws {@link ProviderUnsupportedException}, which callers (reconciliation, orphan cleanup) treat
 * as "skip". Zones come from the nodes' topology labels or from configuration.
 */
public final class CustomCloudProvider implements CloudProvider {
  private static final Logger log = LoggerFactory.getLogger(CustomCloudProvider.class);

  public static final String NAME = "custom";

  private final Supplier<List<String>> zones;
  private final AutoCloseable resources;

  /**
   * @param zones where the zones come from (a fixed list, or the nodes' labels)
   * @param resources closed with the provider (the Kubernetes client, when it owns one)
   */
  public CustomCloudProvider(Supplier<List<String>> zones, AutoCloseable resources) {
    this.zones = Objects.requireNonNull(zones, "zones is null");
    this.resources = Objects.requireNonNull(resources, "resources is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.ZONES);
  }

  @Override
  public List<String> zones() {
    return zones.get().stream().distinct().sorted().toList();
  }

  @Override
  public CloudVolume createVolume(VolumeRequest request) {
    throw unsupported("createVolume");
  }

  @Override
  public Optional<CloudVolume> describeVolume(String volumeId) {
    throw unsupported("describeVolume");
  }

  @Override
  public List<CloudVolume> listVolumes(Map<String, String> tags) {
    throw unsupported("listVolumes");
  }

  @Override
  public void tagVolume(String volumeId, Map<String, String> tags) {
    throw unsupported("tagVolume");
  }

  @Override
  public void deleteVolume(String volumeId) {
    throw unsupported("deleteVolume");
  }

  @Override
  public void attachVolume(String volumeId, String instanceId, String device) {
    throw unsupported("attachVolume");
  }

  @Override
  public void detachVolume(String volumeId, String instanceId) {
    throw unsupported("detachVolume");
  }

  @Override
  public CloudSnapshot createSnapshot(SnapshotRequest request) {
    throw unsupported("createSnapshot");
  }

  @Override
  public Optional<CloudSnapshot> describeSnapshot(String snapshotId) {
    throw unsupported("describeSnapshot");
  }

  @Override
  public List<CloudSnapshot> listSnapshots(SnapshotFilter filter) {
    throw unsupported("listSnapshots");
  }

  @Override
  public void tagSnapshot(String snapshotId, Map<String, String> tags) {
    throw unsupported("tagSnapshot");
  }

  @Override
  public void deleteSnapshot(String snapshotId) {
    throw unsupported("deleteSnapshot");
  }

  @Override
  public CloudSnapshot awaitSnapshot(String snapshotId, Duration timeout) {
    throw unsupported("awaitSnapshot");
  }

  @Override
  public void putObject(ObjectLocation location, byte[] content) {
    throw unsupported("putObject");
  }

  @Override
  public Optional<byte[]> getObject(ObjectLocation location) {
    throw unsupported("getObject");
  }

  @Override
  public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      // Closing happens at shutdown; there is nothing left to do with the error but say so.
      log.warn("Could not close the custom provider's client", e);
    }
  }

  private static ProviderUnsupportedException unsupported(String operation) {
    return new ProviderUnsupportedException(NAME, operation);
  }
}
