package dev.odc.cronjobs.snapshots;

import static java.util.Objects.requireNonNull;

import dev.odc.core.Checks;
import dev.odc.core.DiskSnapshot;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.ProviderException;
import dev.odc.providers.ProviderUnsupportedException;
import dev.odc.providers.StorageBackend;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes snapshots through the provider SPI: the VolumeSnapshot through the {@link
 * StorageBackend}, then, when a {@link CloudProvider} is configured and the row knows the cloud's
 * snapshot id, the cloud snapshot if it outlived its VolumeSnapshot (a {@code Retain} deletion
 * policy). Providers without snapshot support only skip the second step.
 */
public final class StorageBackendSnapshotStore implements SnapshotStore {
  private static final Logger log = LoggerFactory.getLogger(StorageBackendSnapshotStore.class);

  private final StorageBackend storage;
  private final String namespace;
  private final Optional<CloudProvider> cloud;

  public StorageBackendSnapshotStore(
      StorageBackend storage, String namespace, Optional<CloudProvider> cloud) {
    this.storage = requireNonNull(storage, "storage is null");
    this.namespace = Checks.notBlank(namespace, "namespace");
    this.cloud = requireNonNull(cloud, "cloud is null");
  }

  @Override
  public void delete(DiskSnapshot snapshot) throws SnapshotDeletionException {
    try {
      storage.deleteSnapshot(namespace, snapshot.snapshotName());
    } catch (ProviderException e) {
      throw new SnapshotDeletionException(snapshot.snapshotName(), e);
    }
    if (cloud.isEmpty() || snapshot.cloudSnapshotId() == null) {
      return;
    }
    CloudProvider provider = cloud.get();
    try {
      if (provider.describeSnapshot(snapshot.cloudSnapshotId()).isPresent()) {
        provider.deleteSnapshot(snapshot.cloudSnapshotId());
      }
    } catch (ProviderUnsupportedException e) {
      log.debug(
          "provider {} does not manage snapshots; {} is left to the CSI driver",
          provider.name(),
          snapshot.cloudSnapshotId());
    } catch (ProviderException e) {
      throw new SnapshotDeletionException(snapshot.cloudSnapshotId(), e);
    }
  }
}
