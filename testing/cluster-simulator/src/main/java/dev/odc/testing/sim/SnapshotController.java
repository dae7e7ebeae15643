package dev.odc.testing.sim;

import static dev.odc.testing.sim.SimContext.annotations;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CSI snapshot controller: gives each new VolumeSnapshot a VolumeSnapshotContent and makes it
 * {@code readyToUse} after the snapshot delay (or records an error when its source claim is
 * missing, or while a test has switched failures on with {@link ClusterSimulator#failSnapshots}),
 * and deletes the content with the snapshot.
 */
final class SnapshotController {
  private final SimContext context;
  private final Duration snapshotDelay;
  private final AtomicLong snapshotsReady = new AtomicLong();
  private volatile String failure;

  // loop
  private final Set<String> handledSnapshots = new HashSet<>();

  SnapshotController(SimContext context, Duration snapshotDelay) {
    this.context = context;
    this.snapshotDelay = snapshotDelay;
  }

  /** Snapshots that come due fail with this error from now on; null: they succeed. */
  void failWith(String message) {
    this.failure = message;
  }

  /** VolumeSnapshots made ready since start. */
  long snapshotsReady() {
    return snapshotsReady.get();
  }

  /**
   * Makes a new snapshot ready after the snapshot delay. Returns true when the snapshot is ready
   * already, so claims restored from it may be provisioned now.
   */
  boolean onSnapshot(GenericKubernetesResource snapshot) {
    if (isReady(snapshot)) {
      return true;
    }
    String uid = snapshot.getMetadata().getUid();
    if (snapshot.getMetadata().getDeletionTimestamp() != null || !handledSnapshots.add(uid)) {
      return false;
    }
    context.after(
        snapshotDelay, () -> context.write("make snapshot ready", () -> makeReady(snapshot)));
    return false;
  }

  @SuppressWarnings("unchecked")
  private void makeReady(GenericKubernetesResource snapshot) {
    String ns = snapshot.getMetadata().getNamespace();
    String name = snapshot.getMetadata().getName();
    Map<String, Object> spec = (Map<String, Object>) snapshot.getAdditionalProperties().get("spec");
    Map<String, Object> source = spec == null ? null : (Map<String, Object>) spec.get("source");
    String sourceClaim = source == null ? null : (String) source.get("persistentVolumeClaimName");
    PersistentVolumeClaim pvc =
        sourceClaim == null
            ? null
            : context.client.persistentVolumeClaims().inNamespace(ns).withName(sourceClaim).get();
    String injected = failure;
    if (pvc == null || injected != null) {
      String message =
          injected != null
              ? injected
              : sourceClaim == null
                  ? "snapshot has no source persistentVolumeClaimName"
                  : "failed to get input parameters to create snapshot "
                      + name
                      + ": persistentvolumeclaim \""
                      + sourceClaim
                      + "\" not found";
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("readyToUse", false);
      status.put("error", Map.of("message", message, "time", Instant.now().toString()));
      setStatus(ns, name, status, Map.of());
      return;
    }
    Quantity size =
        pvc.getStatus() != null && pvc.getStatus().getCapacity() != null
            ? pvc.getStatus().getCapacity().get("storage")
            : VolumeProvisioner.requestedSize(pvc);
    String restoreSize = size == null ? "10Gi" : size.toString();
    String contentName = "snapcontent-" + snapshot.getMetadata().getUid();
    String handle = "snap-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
    String className = spec == null ? null : (String) spec.get("volumeSnapshotClassName");
    String now = Instant.now().toString();
    Map<String, Object> contentSpec = new LinkedHashMap<>();
    contentSpec.put("deletionPolicy", "Delete");
    contentSpec.put("driver", ClusterSimulator.CSI_DRIVER);
    contentSpec.put(
        "source",
        Map.of(
            "volumeHandle",
            pvc.getSpec().getVolumeName() == null ? "unbound" : pvc.getSpec().getVolumeName()));
    contentSpec.put(
        "volumeSnapshotRef",
        Map.of(
            "apiVersion",
            "snapshot.storage.k8s.io/v1",
            "kind",
            "VolumeSnapshot",
            "name",
            name,
            "namespace",
            ns,
            "uid",
            snapshot.getMetadata().getUid()));
    if (className != null) {
      contentSpec.put("volumeSnapshotClassName", className);
    }
    Map<String, Object> contentStatus = new LinkedHashMap<>();
    contentStatus.put("snapshotHandle", handle);
    contentStatus.put("readyToUse", true);
    contentStatus.put(
        "restoreSize", size == null ? 10L << 30 : size.getNumericalAmount().longValue());
    contentStatus.put("creationTime", System.currentTimeMillis() * 1_000_000L);
    GenericKubernetesResource content =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("snapshot.storage.k8s.io/v1")
            .withKind("VolumeSnapshotContent")
            .withNewMetadata()
            .withName(contentName)
            .addToLabels(ClusterSimulator.SIMULATED, "true")
            .addToAnnotations(ClusterSimulator.SIMULATED, "true")
            .endMetadata()
            .addToAdditionalProperties("spec", contentSpec)
            .addToAdditionalProperties("status", contentStatus)
            .build();
    if (context
            .client
            .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOT_CONTENTS)
            .withName(contentName)
            .get()
        == null) {
      context
          .client
          .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOT_CONTENTS)
          .resource(content)
          .create();
    }
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("boundVolumeSnapshotContentName", contentName);
    status.put("creationTime", now);
    status.put("readyToUse", true);
    status.put("restoreSize", restoreSize);
    setStatus(
        ns,
        name,
        status,
        Map.of(ClusterSimulator.SIMULATED, "true", "odc.dev/snapshot-handle", handle));
    snapshotsReady.incrementAndGet();
  }

  /** Replaces the snapshot's status and adds {@code addedAnnotations}, as its controller does. */
  private void setStatus(
      String ns, String name, Map<String, Object> status, Map<String, String> addedAnnotations) {
    context
        .client
        .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOTS)
        .inNamespace(ns)
        .withName(name)
        .editStatus(
            s -> {
              s.getAdditionalProperties().put("status", status);
              if (!addedAnnotations.isEmpty()) {
                annotations(s).putAll(addedAnnotations);
              }
              return s;
            });
  }

  void onSnapshotGone(GenericKubernetesResource snapshot) {
    String uid = snapshot.getMetadata().getUid();
    handledSnapshots.remove(uid);
    context.write(
        "delete snapshot content of " + snapshot.getMetadata().getName(),
        () ->
            context
                .client
                .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOT_CONTENTS)
                .withName("snapcontent-" + uid)
                .delete());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> status(GenericKubernetesResource r) {
    Object status = r.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static boolean isReady(GenericKubernetesResource snapshot) {
    return Boolean.TRUE.equals(status(snapshot).get("readyToUse"));
  }
}
