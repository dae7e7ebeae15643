package dev.odc.providers.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.providers.ClaimSpec;
import dev.odc.providers.InvalidRequestException;
import dev.odc.providers.SnapshotSpec;
import dev.odc.providers.StorageBackend;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.VolumeClaim;
import dev.odc.providers.VolumeSnapshotInfo;
import dev.odc.providers.testing.AbstractStorageBackendContractTest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract against fabric8's mock API server in CRUD mode; the test plays the CSI
 * snapshot controller by writing the VolumeSnapshot status and a VolumeSnapshotContent.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesStorageBackendTest extends AbstractStorageBackendContractTest {
  static KubernetesClient client;
  static KubernetesMockServer server;

  private KubernetesStorageBackend backend;

  @BeforeEach
  void setUp() {
    for (String zone : new String[] {"zone-a", "zone-b"}) {
      addNode(zone);
    }
    backend = new KubernetesStorageBackend(client, storageConfig());
  }

  private static StorageFactory storageConfig() {
    return new StorageFactory()
        .setStorageClass("odc-gp3")
        .setVolumeSnapshotClass("odc-ebs-snapshots")
        .setPollInterval(Duration.ofMillis(50));
  }

  private static void addNode(String zone) {
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

  private static void removeNode(String zone) {
    client.nodes().withName("node-" + zone).delete();
  }

  /** Takes every request the mock server has recorded and not yet handed out. */
  private static List<String> takeRequests() throws InterruptedException {
    List<String> taken = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
      taken.add(request.getMethod() + " " + request.getPath().replaceFirst("\\?.*", ""));
    }
    return taken;
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

  @Test
  void ensureClaimOfAnExistingClaimReturnsItWithoutError() {
    ClaimSpec spec = ClaimSpec.of(namespace(), "twice", 2).withZone("zone-a");
    VolumeClaim first = backend.ensureClaim(spec);
    VolumeClaim second = backend.ensureClaim(spec.withLabels(Map.of("other", "x")));
    assertThat(second).isEqualTo(first);
    assertThat(second.zone()).isEqualTo("zone-a");
    assertThat(client.persistentVolumeClaims().inNamespace(namespace()).list().getItems())
        .filteredOn(p -> p.getMetadata().getName().equals("twice"))
        .hasSize(1);
  }

  @Test
  void unknownZoneIsRefusedEvenWithAWarmZoneCache() {
    backend.ensureClaim(ClaimSpec.of(namespace(), "warm", 1).withZone("zone-a"));
    assertThatThrownBy(
            () -> backend.ensureClaim(ClaimSpec.of(namespace(), "lost", 1).withZone("zone-mars")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown zone 'zone-mars'")
        .hasMessageContaining("[zone-a, zone-b]");
    assertThat(backend.findClaim(namespace(), "lost")).isEmpty();
  }

  @Test
  void zoneAddedAfterTheFirstCallIsAccepted() {
    backend.ensureClaim(ClaimSpec.of(namespace(), "before-c", 1).withZone("zone-a"));
    addNode("zone-c");
    try {
      VolumeClaim claim =
          backend.ensureClaim(ClaimSpec.of(namespace(), "in-c", 1).withZone("zone-c"));
      assertThat(claim.zone()).isEqualTo("zone-c");
    } finally {
      removeNode("zone-c");
    }
  }

  @Test
  void zoneGoneAfterTheCacheExpiresIsRefused() {
    AtomicLong now = new AtomicLong();
    KubernetesStorageBackend clocked =
        new KubernetesStorageBackend(client, storageConfig(), Duration.ofSeconds(30), now::get);
    addNode("zone-d");
    clocked.ensureClaim(ClaimSpec.of(namespace(), "in-d", 1).withZone("zone-d"));
    removeNode("zone-d");
    // Within the TTL the cached listing still has zone-d.
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    clocked.ensureClaim(ClaimSpec.of(namespace(), "in-d-2", 1).withZone("zone-d"));
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThatThrownBy(
            () -> clocked.ensureClaim(ClaimSpec.of(namespace(), "in-d-3", 1).withZone("zone-d")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown zone 'zone-d'");
    assertThat(clocked.findClaim(namespace(), "in-d-3")).isEmpty();
  }

  @Test
  void newZonedClaimCostsOneRequestOnceTheZonesAreCached() throws InterruptedException {
    KubernetesStorageBackend fresh = new KubernetesStorageBackend(client, storageConfig());
    String pvcs = "/api/v1/namespaces/" + namespace() + "/persistentvolumeclaims";
    takeRequests();

    int before = server.getRequestCount();
    fresh.ensureClaim(ClaimSpec.of(namespace(), "count-1", 1).withZone("zone-a"));
    assertThat(server.getRequestCount() - before).isEqualTo(2);
    assertThat(takeRequests()).containsExactly("GET /api/v1/nodes", "POST " + pvcs);

    before = server.getRequestCount();
    fresh.ensureClaim(ClaimSpec.of(namespace(), "count-2", 1).withZone("zone-b"));
    assertThat(server.getRequestCount() - before).isEqualTo(1);
    assertThat(takeRequests()).containsExactly("POST " + pvcs);

    before = server.getRequestCount();
    fresh.ensureClaim(ClaimSpec.of(namespace(), "count-2", 1).withZone("zone-b"));
    assertThat(server.getRequestCount() - before).isEqualTo(2);
    assertThat(takeRequests()).containsExactly("POST " + pvcs, "GET " + pvcs + "/count-2");
  }
}
