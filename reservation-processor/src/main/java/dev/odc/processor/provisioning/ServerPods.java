package dev.odc.processor.provisioning;

import com.codahale.metrics.MetricRegistry;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.processor.Names;
import dev.odc.processor.Processor;
import dev.odc.processor.placement.NodeView;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The reservation's pods, one per node, each running sshd with the user's keys. */
public final class ServerPods {
  public static final String HOME_MOUNT = "/home/dev";
  public static final String SHARED_MOUNT = "/shared";
  public static final int SSH_PORT = 22;

  /**
   * Starts sshd with the user's keys. The keys come in through an environment variable so the image
   * needs nothing but openssh-server.
   */
  static final String SSHD_SCRIPT =
      "set -e; id dev >/dev/null 2>&1 || useradd -m -d /home/dev -s /bin/bash dev || true;"
          + " mkdir -p /home/dev/.ssh /run/sshd;"
          + " printf '%s\\n' \"$ODC_SSH_AUTHORIZED_KEYS\" > /home/dev/.ssh/authorized_keys;"
          + " chmod 700 /home/dev/.ssh; chmod 600 /home/dev/.ssh/authorized_keys;"
          + " chown -R dev /home/dev/.ssh || true; ssh-keygen -A;"
          + " exec /usr/sbin/sshd -D -e -o PasswordAuthentication=no -o PermitRootLogin=no";

  private final KubernetesClient client;
  private final KubeObjects objects;
  private final String namespace;
  private final String gpuTypeLabel;
  private final MetricRegistry metrics;
  private final Clock clock;
  private final Map<UUID, Boolean> podCreatedRecorded = new ConcurrentHashMap<>();

  public ServerPods(
      KubernetesClient client,
      KubeObjects objects,
      String namespace,
      String gpuTypeLabel,
      MetricRegistry metrics,
      Clock clock) {
    this.client = Objects.requireNonNull(client, "client is null");
    this.objects = Objects.requireNonNull(objects, "objects is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.gpuTypeLabel = Objects.requireNonNull(gpuTypeLabel, "gpuTypeLabel is null");
    this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    this.clock = Objects.requireNonNull(clock, "clock is null");
  }

  /**
   * One node's pod.
   *
   * @param node the capacity model's view of the node type, for CPU and memory in proportion to the
   *     GPUs
   * @param zone the zone the pod must run in (that of its disk), or null
   * @param homeClaim the home disk's claim, or null for none
   * @param sharedClaim the user's shared volume claim, or null
   */
  public static Pod desired(
      Reservation r,
      int nodeIndex,
      String namespace,
      String image,
      String gpuTypeLabel,
      NodeView node,
      String zone,
      String homeClaim,
      String sharedClaim,
      List<String> sshKeys,
      OwnerReference owner) {
    Map<String, String> labels = ObjectLabels.of(r);
    labels.put(Labels.NODE_INDEX, Integer.toString(nodeIndex));
    // CPU and memory in proportion to the share of the node's GPUs, keeping 10% for the system
    double share =
        node == null || node.allocatableGpus() == 0
            ? 0.0
            : (double) r.gpuCount() / node.allocatableGpus();
    long cpuMillis = node == null ? 1000 : Math.max(1000, (long) (node.cpuMillis() * share * 0.9));
    long memoryMi =
        node == null
            ? 4096
            : Math.max(4096, (long) (node.memoryBytes() * share * 0.9 / (1024 * 1024)));
    long shmMi = Math.max(1024, memoryMi / 4);
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(gpuTypeLabel, r.gpuType());
    if (zone != null) {
      selector.put(Labels.ZONE, zone);
    }
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(Names.pod(r.id(), nodeIndex))
            .withNamespace(namespace)
            .withLabels(labels)
            .addToAnnotations("odc.dev/reserved-at", r.createdAt().toString())
            .withOwnerReferences(owner)
            .endMetadata()
            .withNewSpec()
            .withHostname(Names.pod(r.id(), nodeIndex))
            .withSubdomain(r.nodeCount() > 1 ? Names.headlessService(r.id()) : null)
            .withRestartPolicy("Always")
            .withNodeSelector(selector)
            .addNewToleration()
            .withKey(Labels.GPU_RESOURCE)
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .endToleration()
            .addNewContainer()
            .withName("dev")
            .withImage(image)
            .withCommand("/bin/sh", "-c", SSHD_SCRIPT)
            .addNewPort()
            .withName("ssh")
            .withContainerPort(SSH_PORT)
            .endPort()
            .addNewEnv()
            .withName("ODC_SSH_AUTHORIZED_KEYS")
            .withValue(String.join("\n", sshKeys))
            .endEnv()
            .addNewEnv()
            .withName("ODC_RESERVATION_ID")
            .withValue(r.id().toString())
            .endEnv()
            .addNewEnv()
            .withName("ODC_NODE_INDEX")
            .withValue(Integer.toString(nodeIndex))
            .endEnv()
            .addNewEnv()
            .withName("ODC_NODE_COUNT")
            .withValue(Integer.toString(r.nodeCount()))
            .endEnv()
            .addNewEnv()
            .withName("ODC_MASTER_ADDR")
            .withValue(
                r.nodeCount() > 1
                    ? Names.pod(r.id(), 0) + "." + Names.headlessService(r.id())
                    : "localhost")
            .endEnv()
            .withNewResources()
            .addToRequests("cpu", new Quantity(cpuMillis + "m"))
            .addToRequests("memory", new Quantity(memoryMi + "Mi"))
            .addToLimits("memory", new Quantity(memoryMi + "Mi"))
            .endResources()
            .addNewVolumeMount()
            .withName("dshm")
            .withMountPath("/dev/shm")
            .endVolumeMount()
            .withNewReadinessProbe()
            .withNewTcpSocket()
            .withNewPort(SSH_PORT)
            .endTcpSocket()
            .withPeriodSeconds(5)
            .endReadinessProbe()
            .endContainer()
            .addToVolumes(
                new VolumeBuilder()
                    .withName("dshm")
                    .withNewEmptyDir()
                    .withMedium("Memory")
                    .withSizeLimit(new Quantity(shmMi + "Mi"))
                    .endEmptyDir()
                    .build())
            .endSpec();
    if (r.gpuCount() > 0) {
      b.editSpec()
          .editFirstContainer()
          .editResources()
          .addToLimits(Labels.GPU_RESOURCE, new Quantity(Integer.toString(r.gpuCount())))
          .addToRequests(Labels.GPU_RESOURCE, new Quantity(Integer.toString(r.gpuCount())))
          .endResources()
          .endContainer()
          .endSpec();
    }
    if (homeClaim != null) {
      b.editSpec()
          .addToVolumes(
              new VolumeBuilder()
                  .withName("home")
                  .withNewPersistentVolumeClaim()
                  .withClaimName(homeClaim)
                  .endPersistentVolumeClaim()
                  .build())
          .editFirstContainer()
          .addNewVolumeMount()
          .withName("home")
          .withMountPath(HOME_MOUNT)
          .endVolumeMount()
          .endContainer()
          .endSpec();
    }
    if (sharedClaim != null) {
      b.editSpec()
          .addToVolumes(
              new VolumeBuilder()
                  .withName("shared")
                  .withNewPersistentVolumeClaim()
                  .withClaimName(sharedClaim)
                  .endPersistentVolumeClaim()
                  .build())
          .editFirstContainer()
          .addNewVolumeMount()
          .withName("shared")
          .withMountPath(SHARED_MOUNT)
          .endVolumeMount()
          .endContainer()
          .endSpec();
    }
    return b.build();
  }

  /**
   * Creates every node's pod unless it exists; all or nothing: when one fails, the others are
   * deleted, so no node of a multi-node reservation stays without the others.
   */
  public void ensure(
      Reservation r,
      String image,
      NodeView node,
      String zone,
      String homeClaim,
      String sharedClaim,
      List<String> sshKeys,
      OwnerReference owner) {
    try {
      for (int i = 0; i < r.nodeCount(); i++) {
        Pod pod =
            desired(
                r,
                i,
                namespace,
                image,
                gpuTypeLabel,
                node,
                zone,
                homeClaim,
                sharedClaim,
                sshKeys,
                owner);
        boolean created = objects.createIfAbsent(pod);
        if (created && i == 0 && podCreatedRecorded.putIfAbsent(r.id(), true) == null) {
          metrics
              .timer(Processor.RESERVE_TO_POD_CREATED)
              .update(Duration.between(r.createdAt(), clock.instant()));
        }
      }
    } catch (RuntimeException e) {
      delete(r.id());
      throw e;
    }
  }

  /** Deletes every pod of the reservation and forgets that its first pod was timed. */
  public void delete(UUID reservationId) {
    client
        .pods()
        .inNamespace(namespace)
        .withLabel(Labels.RESERVATION_ID, reservationId.toString())
        .delete();
  }

  /** The reservation is over: a new one of the same id cannot exist, so its timing entry goes. */
  public void forget(UUID reservationId) {
    podCreatedRecorded.remove(reservationId);
  }
}
