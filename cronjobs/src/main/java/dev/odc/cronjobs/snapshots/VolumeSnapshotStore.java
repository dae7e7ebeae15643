package dev.odc.cronjobs.snapshots;

import static java.util.Objects.requireNonNull;

import dev.odc.core.Checks;
import dev.odc.core.DiskSnapshot;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Deletes CSI {@code VolumeSnapshot}s ({@code snapshot.storage.k8s.io/v1}) in the reservations
 * namespace. The VolumeSnapshotClass's deletion policy decides whether the cloud snapshot goes with
 * it (ODC's classes use {@code Delete}).
 */
public final class VolumeSnapshotStore implements SnapshotStore {
  static final ResourceDefinitionContext VOLUME_SNAPSHOT =
      new ResourceDefinitionContext.Builder()
          .withGroup("snapshot.storage.k8s.io")
          .withVersion("v1")
          .withKind("VolumeSnapshot")
          .withPlural("volumesnapshots")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final String namespace;

  public VolumeSnapshotStore(KubernetesClient client, String namespace) {
    this.client = requireNonNull(client, "client is null");
    this.namespace = Checks.notBlank(namespace, "namespace");
  }

  @Override
  public void delete(DiskSnapshot snapshot) throws SnapshotDeletionException {
    try {
      client
          .genericKubernetesResources(VOLUME_SNAPSHOT)
          .inNamespace(namespace)
          .withName(snapshot.snapshotName())
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return;
      }
      throw new SnapshotDeletionException(snapshot.snapshotName(), e);
    }
  }
}
