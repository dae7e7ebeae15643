package dev.odc.providers.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.providers.ClaimSpec;
import dev.odc.providers.SnapshotSpec;
import dev.odc.providers.StorageBackend;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.VolumeSnapshotInfo;
import dev.odc.providers.testing.AbstractStorageBackendContractTest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract against fabric8's mock API server in CRUD mode; the test plays the CSI
 * snapshot controller by writing the VolumeSnapshot status and a VolumeSnapshotContent.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesStorageBackendTest extends AbstractStorageBackendContractTest {
  static KubernetesClient client;

  private KubernetesStorageBackend backend;

  @BeforeEach
  void setUp() {
    for (String zone : new String[] {"zone-a", "zone-b"}) {
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName("node-" + zone)
                  .addToLabels(StorageFactory.ZONE_TOPOLOGY_KEY, zone)
                  .endMetadata()
                  .build())
          .createOr(r -> r.update());
    }
    backend =
        new KubernetesStorageBackend(
            client,
            new StorageFactory()
                .setStorageClass("odc-gp3")
                .setVolumeSnapshotClass("odc-ebs-snapshots")
                .setPollInterval(Duration.ofMillis(50)));
  }

  @Override
  protected StorageBackend storage() {
    return backend;
  }

  @Override
  protected String namespace() {
    return "odc-reservations";
  }

  @Override
  protected String knownZone() {
    return "zone-b";
  }

  @Override
  protected void completeSnapshot(String namespace, String name, int sizeGb, String handle) {
    String content = "snapcontent-" + name;
    client
        .genericKubernetesResources(KubernetesStorageBackend.VOLUME_SNAPSHOT_CONTENTS)
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion(KubernetesStorageBackend.SNAPSHOT_API_VERSION)
                .withKind("VolumeSnapshotContent")
                .withNewMetadata()
                .withName(content)
                .endMetadata()
                .addToAdditionalProperties(
                    "status", Map.of("snapshotHandle", handle, "readyToUse", true))
                .build())
        .create();
    setStatus(
        namespace,
        name,
        Map.of(
            "readyToUse",
            true,
            "restoreSize",
            sizeGb + "Gi",
            "boundVolumeSnapshotContentName",
            content));
  }

  @Override
  protected void failSnapshot(String namespace, String name, String message) {
    setStatus(namespace, name, Map.of("readyToUse", false, "error", Map.of("message", message)));
  }

  private void setStatus(String namespace, String name, Map<String, Object> status) {
    var resource =
        client
            .genericKubernetesResources(KubernetesStorageBackend.VOLUME_SNAPSHOTS)
            .inNamespace(namespace)
            .withName(name);
    GenericKubernetesResource current = resource.get();
    current.getAdditionalProperties().put("status", new LinkedHashMap<>(status));
    resource.patch(current);
  }

  @Test
  void claimsCarryClassZoneAndSnapshotSource() {
    backend.ensureClaim(
        ClaimSpec.of(namespace(), "shape", 3).withZone("zone-a").withLabels(Map.of("k", "v")));
    PersistentVolumeClaim pvc =
        client.persistentVolumeClaims().inNamespace(namespace()).withName("shape").get();
    assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("odc-gp3");
    assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("3Gi");
    assertThat(pvc.getMetadata().getAnnotations())
        .containsEntry(KubernetesStorageBackend.ZONE_ANNOTATION, "zone-a");

    VolumeSnapshotInfo snap =
        backend.createSnapshot(SnapshotSpec.of(namespace(), "shape-1", "shape", Map.of()));
    assertThat(snap.snapshotClass()).isEqualTo("odc-ebs-snapshots");
    completeSnapshot(namespace(), "shape-1", 3, "snap-1");
    backend.ensureClaim(ClaimSpec.of(namespace(), "shape-r", 3).restoredFrom("shape-1"));
    PersistentVolumeClaim restored =
        client.persistentVolumeClaims().inNamespace(namespace()).withName("shape-r").get();
    assertThat(restored.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
    assertThat(restored.getSpec().getDataSource().getApiGroup())
        .isEqualTo("snapshot.storage.k8s.io");
    assertThat(restored.getSpec().getDataSource().getName()).isEqualTo("shape-1");
  }

  @Test
  void customStorageClassOverridesDefault() {
    backend.ensureClaim(ClaimSpec.of(namespace(), "fast", 1).withStorageClass("io2"));
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(namespace())
                .withName("fast")
                .get()
                .getSpec()
                .getStorageClassName())
        .isEqualTo("io2");
    assertThat(backend.knownZones()).containsExactly("zone-a", "zone-b");
  }
}
