package dev.odc.processor;

import dev.odc.core.Reservation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the Kubernetes objects of one reservation. Pure functions: no API calls. */
public final class PodSpecs {
  public static final String HOME_MOUNT = "/home/dev";
  public static final String SHARED_MOUNT = "/shared";
  public static final int SSH_PORT = 22;
  public static final String EXTERNAL_DNS_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname";

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

  private PodSpecs() {}

  /** Labels on everything of the reservation. */
  public static Map<String, String> labels(Reservation r) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Names.RESERVATION_LABEL, r.id().toString());
    labels.put(Names.USER_LABEL, labelValue(r.username()));
    labels.put(Names.MANAGED_BY_LABEL, Names.MANAGED_BY);
    return labels;
  }

  /** The root of the owner chain: deleting it lets the garbage collector take the rest. */
  public static ConfigMap owner(Reservation r, String namespace) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.owner(r.id()))
        .withNamespace(namespace)
        .withLabels(labels(r))
        .endMetadata()
        .addToData("reservation-id", r.id().toString())
        .addToData("user", r.username())
        .addToData("gpu-type", r.gpuType())
        .addToData("gpus", Integer.toString(r.gpuCount()))
        .addToData("nodes", Integer.toString(r.nodeCount()))
        .addToData("created-at", r.createdAt().toString())
        .build();
  }

  public static OwnerReference ownerReference(ConfigMap owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion("v1")
        .withKind("ConfigMap")
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withBlockOwnerDeletion(true)
        .withController(true)
        .build();
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
  public static Pod pod(
      Reservation r,
      int nodeIndex,
      String namespace,
      String image,
      String gpuTypeLabel,
      ClusterCapacity.NodeView node,
      String zone,
      String homeClaim,
      String sharedClaim,
      List<String> sshKeys,
      OwnerReference owner) {
    Map<String, String> labels = labels(r);
    labels.put(Names.NODE_INDEX_LABEL, Integer.toString(nodeIndex));
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
      selector.put(ClusterCapacity.ZONE_LABEL, zone);
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
            .withKey(ClusterCapacity.GPU)
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
          .addToLimits(ClusterCapacity.GPU, new Quantity(Integer.toString(r.gpuCount())))
          .addToRequests(ClusterCapacity.GPU, new Quantity(Integer.toString(r.gpuCount())))
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

  /** The NodePort Service users SSH to; it selects the first node's pod. */
  public static Service sshService(
      Reservation r, String namespace, String dnsDomain, OwnerReference owner) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(Names.RESERVATION_LABEL, r.id().toString());
    selector.put(Names.NODE_INDEX_LABEL, "0");
    ServiceBuilder b =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(Names.sshService(r.id()))
            .withNamespace(namespace)
            .withLabels(labels(r))
            .withOwnerReferences(owner)
            .endMetadata()
            .withNewSpec()
            .withType("NodePort")
            .withSelector(selector)
            .addNewPort()
            .withName("ssh")
            .withProtocol("TCP")
            .withPort(SSH_PORT)
            .withNewTargetPort(SSH_PORT)
            .endPort()
            .endSpec();
    if (dnsDomain != null) {
      b.editMetadata()
          .addToAnnotations(EXTERNAL_DNS_ANNOTATION, hostname(r, dnsDomain))
          .endMetadata();
    }
    return b.build();
  }

  /** The DNS name of a reservation when a domain is configured. */
  public static String hostname(Reservation r, String dnsDomain) {
    return r.name() + "-" + r.shortId() + "." + dnsDomain;
  }

  /** The headless Service multi-node pods rendezvous through. */
  public static Service headlessService(Reservation r, String namespace, OwnerReference owner) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(Names.headlessService(r.id()))
        .withNamespace(namespace)
        .withLabels(labels(r))
        .withOwnerReferences(owner)
        .endMetadata()
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(Map.of(Names.RESERVATION_LABEL, r.id().toString()))
        .addNewPort()
        .withName("rendezvous")
        .withPort(29500)
        .endPort()
        .endSpec()
        .build();
  }

  /** A label value: at most 63 characters of letters, digits, '-', '_' and '.'. */
  static String labelValue(String value) {
    String v = value.replaceAll("[^A-Za-z0-9._-]", "_");
    if (v.length() > 63) {
      v = v.substring(0, 63);
    }
    return v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
  }
}
