package dev.odc.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.database.QueueEntry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PodSpecsTest {
  private static final UUID ALICE = UUID.randomUUID();
  private static final UUID BOB = UUID.randomUUID();

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

  private final ClusterCapacity.NodeView node =
      new ClusterCapacity.NodeView(
          "n1", "h100", "zone-a", 8, 8, 128_000, 1024L * 1024 * 1024 * 1024, "203.0.113.2");

  @Test
  void podAsksForGpusAndProportionalCpuAndMemory() {
    Reservation r = reservation(ALICE, "alice", 2, 1, Instant.now());
    ConfigMap owner = PodSpecs.owner(r, "ns");
    owner.getMetadata().setUid("uid-1");

    Pod pod =
        PodSpecs.pod(
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
            PodSpecs.ownerReference(owner));

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
    ConfigMap owner = PodSpecs.owner(r, "ns");

    Pod second =
        PodSpecs.pod(
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
            PodSpecs.ownerReference(owner));
    Service headless = PodSpecs.headlessService(r, "ns", PodSpecs.ownerReference(owner));

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
    ConfigMap owner = PodSpecs.owner(r, "ns");

    Service plain = PodSpecs.sshService(r, "ns", null, PodSpecs.ownerReference(owner));
    Service named = PodSpecs.sshService(r, "ns", "gpu.example.com", PodSpecs.ownerReference(owner));

    assertThat(plain.getSpec().getType()).isEqualTo("NodePort");
    assertThat(plain.getMetadata().getAnnotations())
        .doesNotContainKey(PodSpecs.EXTERNAL_DNS_ANNOTATION);
    assertThat(named.getMetadata().getAnnotations())
        .containsEntry(PodSpecs.EXTERNAL_DNS_ANNOTATION, "dev-" + r.shortId() + ".gpu.example.com");
  }

  @Test
  void fairOrderAlternatesUsers() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    QueueEntry a1 = waiting(ALICE, t);
    QueueEntry a2 = waiting(ALICE, t.plusSeconds(1));
    QueueEntry a3 = waiting(ALICE, t.plusSeconds(2));
    QueueEntry b1 = waiting(BOB, t.plusSeconds(3));
    QueueEntry preparing =
        new QueueEntry(UUID.randomUUID(), BOB, ReservationStatus.PREPARING, 1, 1, t, 1);

    assertThat(Processor.fairOrder(List.of(a3, b1, preparing, a1, a2)))
        .containsExactly(a1, b1, a2, a3);
  }

  private static QueueEntry waiting(UUID user, Instant createdAt) {
    return new QueueEntry(UUID.randomUUID(), user, ReservationStatus.QUEUED, 1, 1, createdAt, 0);
  }

  @Test
  void podFailuresReadLikeSentences() {
    Pod pulling =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Pending")
            .addToContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("dev")
                    .withImage("nope:1")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("ImagePullBackOff")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();
    Pod fine = new PodBuilder().withNewStatus().withPhase("Running").endStatus().build();

    assertThat(Processor.failureOf(pulling))
        .hasValueSatisfying(m -> assertThat(m).contains("'nope:1' could not be pulled"));
    assertThat(Processor.failureOf(fine)).isEmpty();
    assertThat(Processor.humanize(Duration.ofMinutes(10))).isEqualTo("10 minutes");
    assertThat(Processor.humanize(Duration.ofSeconds(3))).isEqualTo("3 seconds");
  }

  @Test
  void settingsRejectNonsense() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ProcessorSettings.defaults("w").withLeaseTtl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaseTtl");
  }
}
