package dev.odc.processor.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.processor.Names;
import dev.odc.processor.placement.NodeView;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The desired state of the objects the processor owns: pure builders, no API server. */
class DesiredObjectsTest {
  private static final UUID ALICE = UUID.randomUUID();

  static Reservation reservation(
      UUID user, String username, int gpus, int nodes, Instant createdAt) {
    return new Reservation(
        UUID.randomUUID(),
        user,
        username,
        "dev",
        "h100",
        gpus,
        nodes,
        null,
        2.0,
        "home",
        null,
        ReservationStatus.QUEUED,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        createdAt,
        null,
        null,
        null,
        null,
        null,
        0);
  }

  private final NodeView node =
      new NodeView(
          "n1", "h100", "zone-a", 8, 8, 128_000, 1024L * 1024 * 1024 * 1024, "203.0.113.2");

  @Test
  void podAsksForGpusAndProportionalCpuAndMemory() {
    Reservation r = reservation(ALICE, "alice", 2, 1, Instant.now());
    ConfigMap owner = OwnerConfigMap.desired(r, "ns", null);
    owner.getMetadata().setUid("uid-1");

    Pod pod =
        ServerPods.desired(
            r,
            0,
            "ns",
            "img:1",
            "odc.dev/gpu-type",
            node,
            "zone-a",
            "disk-x",
            "shared-alice",
            List.of("ssh-ed25519 AAAA key"),
            OwnerConfigMap.ownerReference(owner));

    var container = pod.getSpec().getContainers().get(0);
    assertThat(container.getResources().getLimits().get("nvidia.com/gpu"))
        .isEqualTo(new Quantity("2"));
    // a quarter of the node's 128 CPUs, less 10% for the system
    assertThat(container.getResources().getRequests().get("cpu")).isEqualTo(new Quantity("28800m"));
    assertThat(pod.getSpec().getNodeSelector())
        .containsEntry("odc.dev/gpu-type", "h100")
        .containsEntry("topology.kubernetes.io/zone", "zone-a");
    assertThat(container.getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .containsExactlyInAnyOrder("/dev/shm", "/home/dev", "/shared");
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("uid-1");
    assertThat(pod.getSpec().getSubdomain()).isNull();
  }

  @Test
  void multiNodePodsRendezvousThroughTheHeadlessService() {
    Reservation r = reservation(ALICE, "alice", 8, 2, Instant.now());
    ConfigMap owner = OwnerConfigMap.desired(r, "ns", null);

    Pod second =
        ServerPods.desired(
            r,
            1,
            "ns",
            "img",
            "odc.dev/gpu-type",
            node,
            null,
            null,
            null,
            List.of(),
            OwnerConfigMap.ownerReference(owner));
    Service headless =
        ReservationServices.desiredHeadless(r, "ns", OwnerConfigMap.ownerReference(owner));

    assertThat(second.getSpec().getSubdomain()).isEqualTo(headless.getMetadata().getName());
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(second.getSpec().getContainers().get(0).getEnv())
        .anyMatch(
            e ->
                e.getName().equals("ODC_MASTER_ADDR")
                    && e.getValue().startsWith(Names.pod(r.id(), 0) + "."));
  }

  @Test
  void sshServiceGetsExternalDnsNameOnlyWithADomain() {
    Reservation r = reservation(ALICE, "alice", 1, 1, Instant.now());
    ConfigMap owner = OwnerConfigMap.desired(r, "ns", null);

    Service plain =
        ReservationServices.desiredSsh(r, "ns", null, OwnerConfigMap.ownerReference(owner));
    Service named =
        ReservationServices.desiredSsh(
            r, "ns", "gpu.example.com", OwnerConfigMap.ownerReference(owner));

    assertThat(plain.getSpec().getType()).isEqualTo("NodePort");
    assertThat(plain.getMetadata().getAnnotations())
        .doesNotContainKey(ReservationServices.EXTERNAL_DNS_ANNOTATION);
    assertThat(named.getMetadata().getAnnotations())
        .containsEntry(
            ReservationServices.EXTERNAL_DNS_ANNOTATION, "dev-" + r.shortId() + ".gpu.example.com");
  }

  @Test
  void ownerRecordsTheZoneOnlyWhenOneWasChosen() {
    Reservation r = reservation(ALICE, "alice", 1, 1, Instant.now());

    assertThat(OwnerConfigMap.desired(r, "ns", "zone-b").getData())
        .containsEntry("zone", "zone-b")
        .containsEntry("reservation-id", r.id().toString());
    assertThat(OwnerConfigMap.desired(r, "ns", null).getData()).doesNotContainKey("zone");
  }
}
