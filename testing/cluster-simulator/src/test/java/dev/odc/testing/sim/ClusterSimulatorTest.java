package dev.odc.testing.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ClusterSimulatorTest {
  private static final String NS = "odc-reservations";

  KubernetesClient client;
  private ClusterSimulator sim;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void createsLabelledTaintedGpuNodes() {
    sim =
        ClusterSimulator.builder(client)
            .nodes(NodePool.of("h100", 2, 8))
            .nodes(NodePool.of("l4", 4, 4).inZones("zone-a", "zone-b"))
            .start();

    List<Node> nodes = client.nodes().list().getItems();
    assertThat(nodes).hasSize(6);
    Node l4 = client.nodes().withName("sim-l4-1").get();
    assertThat(l4.getMetadata().getLabels())
        .containsEntry("odc.dev/gpu-type", "l4")
        .containsEntry(ClusterSimulator.ZONE_LABEL, "zone-b")
        .containsEntry(ClusterSimulator.SIMULATED, "true");
    assertThat(l4.getStatus().getAllocatable().get("nvidia.com/gpu")).isEqualTo(new Quantity("4"));
    assertThat(l4.getSpec().getTaints())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(l4.getStatus().getConditions())
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  @Test
  void bindsPodToMatchingNodeAndMarksItReady() {
    sim =
        ClusterSimulator.builder(client)
            .nodes(NodePool.of("h100", 1, 8))
            .nodes(NodePool.of("l4", 1, 4))
            .start();

    client.pods().inNamespace(NS).resource(gpuPod("a", "l4", 2)).create();

    Pod ready = waitFor("a", ClusterSimulatorTest::isReady);
    assertThat(ready.getSpec().getNodeName()).isEqualTo("sim-l4-0");
    assertThat(ready.getStatus().getPhase()).isEqualTo("Running");
    assertThat(ready.getStatus().getHostIP()).isNotBlank();
    assertThat(ready.getStatus().getContainerStatuses()).allMatch(s -> s.getReady());
  }

  @Test
  void leavesPodUnschedulableUntilGpusFree() {
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("l4", 1, 4)).start();
    client.pods().inNamespace(NS).resource(gpuPod("first", "l4", 3)).create();
    waitFor("first", ClusterSimulatorTest::isReady);

    client.pods().inNamespace(NS).resource(gpuPod("second", "l4", 2)).create();
    Pod waiting =
        waitFor(
            "second",
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Unschedulable".equals(c.getReason())));
    assertThat(waiting.getSpec().getNodeName()).isNull();
    assertThat(waiting.getStatus().getConditions())
        .anyMatch(
            c -> c.getMessage() != null && c.getMessage().contains("Insufficient nvidia.com/gpu"));

    client.pods().inNamespace(NS).withName("first").delete();

    assertThat(waitFor("second", ClusterSimulatorTest::isReady).getSpec().getNodeName())
        .isEqualTo("sim-l4-0");
  }

  @Test
  void podWithoutTolerationDoesNotLandOnGpuNode() {
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("l4", 1, 4)).start();
    Pod pod = gpuPod("plain", "l4", 1);
    pod.getSpec().setTolerations(List.of());
    client.pods().inNamespace(NS).resource(pod).create();

    Pod waiting =
        waitFor(
            "plain",
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(
                            c ->
                                c.getMessage() != null
                                    && c.getMessage().contains("untolerated taint")));
    assertThat(waiting.getSpec().getNodeName()).isNull();
  }

  @Test
  void injectedImagePullFailureShowsInContainerStatus() {
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("l4", 1, 4)).start();
    sim.injectFailure(p -> p.getMetadata().getName().equals("broken"), PodFailure.IMAGE_PULL);

    client.pods().inNamespace(NS).resource(gpuPod("broken", "l4", 1)).create();

    Pod failed = waitFor("broken", p -> waitingReason(p).equals("ImagePullBackOff"));
    assertThat(failed.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(isReady(failed)).isFalse();
  }

  @Test
  void crashLoopOnRunningPod() {
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("l4", 1, 4)).start();
    client.pods().inNamespace(NS).resource(gpuPod("crashy", "l4", 1)).create();
    waitFor("crashy", ClusterSimulatorTest::isReady);

    sim.failPod(NS, "crashy", PodFailure.CRASH_LOOP);

    Pod crashing = waitFor("crashy", p -> waitingReason(p).equals("CrashLoopBackOff"));
    assertThat(crashing.getStatus().getContainerStatuses().get(0).getRestartCount()).isPositive();
  }

  @Test
  void bindsClaimInHintedZoneAndPinsPodsToIt() {
    sim = startTwoL4NodesInTwoZones();
    createClaim("home", "zone-b", null);

    PersistentVolumeClaim bound = awaitBound("home");
    assertThat(bound.getSpec().getVolumeName()).isNotBlank();
    assertThat(
            client
                .persistentVolumes()
                .withName(bound.getSpec().getVolumeName())
                .get()
                .getMetadata()
                .getLabels())
        .containsEntry(ClusterSimulator.ZONE_LABEL, "zone-b");

    Pod pod = gpuPod("with-home", "l4", 1);
    pod.getSpec()
        .getVolumes()
        .add(
            new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("home")
                .withNewPersistentVolumeClaim()
                .withClaimName("home")
                .endPersistentVolumeClaim()
                .build());
    client.pods().inNamespace(NS).resource(pod).create();

    assertThat(waitFor("with-home", ClusterSimulatorTest::isReady).getSpec().getNodeName())
        .isEqualTo("sim-l4-1");
  }

  @Test
  void snapshotBecomesReadyAndRestoresIntoNewClaim() {
    sim = startTwoL4NodesInTwoZones();
    createClaim("source", "zone-a", null);
    poll(
        client.persistentVolumeClaims().inNamespace(NS).withName("source"),
        c -> c.getSpec().getVolumeName() != null);

    GenericKubernetesResource snapshot =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("snapshot.storage.k8s.io/v1")
            .withKind("VolumeSnapshot")
            .withNewMetadata()
            .withName("source-snap")
            .withNamespace(NS)
            .endMetadata()
            .addToAdditionalProperties(
                "spec", Map.of("source", Map.of("persistentVolumeClaimName", "source")))
            .build();
    client
        .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOTS)
        .inNamespace(NS)
        .resource(snapshot)
        .create();

    GenericKubernetesResource ready =
        poll(
            client
                .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOTS)
                .inNamespace(NS)
                .withName("source-snap"),
            s ->
                s.getAdditionalProperties().get("status") instanceof Map<?, ?> m
                    && Boolean.TRUE.equals(m.get("readyToUse")));
    Map<?, ?> status = (Map<?, ?>) ready.getAdditionalProperties().get("status");
    assertThat(status.get("restoreSize")).isEqualTo("20Gi");
    String content = (String) status.get("boundVolumeSnapshotContentName");
    GenericKubernetesResource snapshotContent =
        client
            .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOT_CONTENTS)
            .withName(content)
            .get();
    assertThat(
            ((Map<?, ?>) snapshotContent.getAdditionalProperties().get("status"))
                .get("snapshotHandle"))
        .asString()
        .startsWith("snap-");

    createClaim("restored", "zone-b", "source-snap");
    PersistentVolumeClaim restored = awaitBound("restored");
    assertThat(
            client
                .persistentVolumes()
                .withName(restored.getSpec().getVolumeName())
                .get()
                .getMetadata()
                .getLabels())
        .containsEntry(ClusterSimulator.ZONE_LABEL, "zone-b");
  }

  @Test
  void assignsNodePortsToNodePortServices() {
    sim = ClusterSimulator.builder(client).start();
    client
        .services()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName("ssh")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withType("NodePort")
                .addNewPort()
                .withPort(22)
                .endPort()
                .endSpec()
                .build())
        .create();

    var service =
        poll(
            client.services().inNamespace(NS).withName("ssh"),
            s -> s.getSpec().getPorts().get(0).getNodePort() != null);
    assertThat(service.getSpec().getPorts().get(0).getNodePort()).isBetween(30000, 32767);
  }

  @Test
  void removingNodeDeletesItsPods() throws InterruptedException {
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("l4", 1, 4)).start();
    client.pods().inNamespace(NS).resource(gpuPod("doomed", "l4", 1)).create();
    waitFor("doomed", ClusterSimulatorTest::isReady);

    java.util.concurrent.CountDownLatch deleted = new java.util.concurrent.CountDownLatch(1);
    try (var watch =
        client
            .pods()
            .inNamespace(NS)
            .withName("doomed")
            .watch(
                new io.fabric8.kubernetes.client.Watcher<Pod>() {
                  @Override
                  public void eventReceived(Action action, Pod resource) {
                    if (action == Action.DELETED) {
                      deleted.countDown();
                    }
                  }

                  @Override
                  public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
                })) {
      sim.removeNode("sim-l4-0");
      assertThat(deleted.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(client.pods().inNamespace(NS).withName("doomed").get()).isNull();
  }

  @Test
  void addingNodeSchedulesWaitingPods() {
    sim = ClusterSimulator.builder(client).start();
    client.pods().inNamespace(NS).resource(gpuPod("early", "h100", 8)).create();

    List<String> added = sim.addNodes(NodePool.of("h100", 1, 8));

    assertThat(waitFor("early", ClusterSimulatorTest::isReady).getSpec().getNodeName())
        .isEqualTo(added.get(0));
  }

  @Test
  void neverOverbooksGpusUnderLoad() {
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("l4", 4, 4)).start();
    int pods = 40;
    IntStream.range(0, pods)
        .forEach(
            i -> client.pods().inNamespace(NS).resource(gpuPod("load-" + i, "l4", 1)).create());

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> client.pods().inNamespace(NS).list().getItems(),
            list ->
                list.stream().filter(ClusterSimulatorTest::isReady).count() == 16
                    && list.stream().filter(p -> p.getSpec().getNodeName() == null).count()
                        == pods - 16);

    Map<String, Long> perNode =
        client.pods().inNamespace(NS).list().getItems().stream()
            .filter(p -> p.getSpec().getNodeName() != null)
            .collect(
                java.util.stream.Collectors.groupingBy(
                    p -> p.getSpec().getNodeName(), java.util.stream.Collectors.counting()));
    assertThat(perNode).hasSize(4).allSatisfy((node, count) -> assertThat(count).isEqualTo(4L));
  }

  /**
   * Polls the object with GETs until {@code condition} holds (at most 30 s). No watch: a watch
   * closed while fabric8's mock server still sends events to it blocks the server's event loop for
   * up to a minute, and the next requests time out.
   */
  private static <T> T poll(Resource<T> resource, Predicate<T> condition) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(resource::get, v -> v != null && condition.test(v));
  }

  private Pod waitFor(String name, Predicate<Pod> condition) {
    return poll(client.pods().inNamespace(NS).withName(name), p -> p != null && condition.test(p));
  }

  static boolean isReady(Pod p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static String waitingReason(Pod p) {
    if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
      return "";
    }
    return p.getStatus().getContainerStatuses().stream()
        .filter(s -> s.getState() != null && s.getState().getWaiting() != null)
        .map(s -> s.getState().getWaiting().getReason())
        .findFirst()
        .orElse("");
  }

  static Pod gpuPod(String name, String gpuType, int gpus) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .addToNodeSelector("odc.dev/gpu-type", gpuType)
        .addNewToleration()
        .withKey("nvidia.com/gpu")
        .withOperator("Exists")
        .withEffect("NoSchedule")
        .endToleration()
        .addNewContainer()
        .withName("dev")
        .withImage("registry.example.com/example/dev:1")
        .withNewResources()
        .addToLimits("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))
        .addToRequests("cpu", new Quantity(Integer.toString(2 * gpus)))
        .addToRequests("memory", new Quantity(8 * gpus + "Gi"))
        .endResources()
        .endContainer()
        .withVolumes(new java.util.ArrayList<>())
        .endSpec()
        .build();
  }

  private ClusterSimulator startTwoL4NodesInTwoZones() {
    return ClusterSimulator.builder(client)
        .nodes(NodePool.of("l4", 2, 4).inZones("zone-a", "zone-b"))
        .start();
  }

  private void createClaim(String name, String zone, String fromSnapshot) {
    client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(claim(name, zone, fromSnapshot))
        .create();
  }

  private PersistentVolumeClaim awaitBound(String name) {
    return poll(
        client.persistentVolumeClaims().inNamespace(NS).withName(name),
        c -> c.getStatus() != null && "Bound".equals(c.getStatus().getPhase()));
  }

  static PersistentVolumeClaim claim(String name, String zone, String fromSnapshot) {
    PersistentVolumeClaimBuilder b =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .addToLabels(ClusterSimulator.ZONE_LABEL, zone)
            .endMetadata()
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withStorageClassName("standard")
            .withNewResources()
            .addToRequests("storage", new Quantity("20Gi"))
            .endResources()
            .endSpec();
    if (fromSnapshot != null) {
      b.editSpec()
          .withNewDataSource()
          .withApiGroup("snapshot.storage.k8s.io")
          .withKind("VolumeSnapshot")
          .withName(fromSnapshot)
          .endDataSource()
          .endSpec();
    }
    return b.build();
  }
}
