package dev.odc.testing.sim;

import static dev.odc.testing.sim.SimContext.MERGE;
import static dev.odc.testing.sim.SimContext.json;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CSI volume provisioner: binds each claim to a simulated PersistentVolume in a zone, at once
 * or, for a {@code WaitForFirstConsumer} storage class, in the zone of its first pod's node; a
 * claim restored from a VolumeSnapshot waits until the snapshot is ready. The claims' zones are
 * touched on the loop thread only.
 */
final class VolumeProvisioner {
  private final SimContext context;
  private final NodeAdmin nodes;
  private final AtomicLong claimsBound = new AtomicLong();

  // loop
  private final Map<String, String> claimZones = new HashMap<>();

  VolumeProvisioner(SimContext context, NodeAdmin nodes) {
    this.context = context;
    this.nodes = nodes;
  }

  /** PersistentVolumeClaims bound since start. */
  long claimsBound() {
    return claimsBound.get();
  }

  /**
   * Zones the pod's bound claims pin it to; a message when a claim is missing or still waiting for
   * its snapshot.
   */
  Optional<String> claimConstraints(Pod pod, List<String> zones) {
    if (pod.getSpec().getVolumes() == null) {
      return Optional.empty();
    }
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() == null) {
        continue;
      }
      String claim = v.getPersistentVolumeClaim().getClaimName();
      String ns = pod.getMetadata().getNamespace();
      String zone = claimZones.get(ns + "/" + claim);
      if (zone != null) {
        zones.add(zone);
        continue;
      }
      PersistentVolumeClaim pvc = context.claim(ns + "/" + claim);
      if (pvc == null) {
        return Optional.of("persistentvolumeclaim \"" + claim + "\" not found");
      }
      if (pvc.getSpec().getVolumeName() != null) {
        claimZoneFromVolume(pvc.getSpec().getVolumeName()).ifPresent(zones::add);
      }
    }
    return Optional.empty();
  }

  private Optional<String> claimZoneFromVolume(String volumeName) {
    PersistentVolume pv = context.client.persistentVolumes().withName(volumeName).get();
    if (pv == null || pv.getMetadata().getLabels() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(pv.getMetadata().getLabels().get(ClusterSimulator.ZONE_LABEL));
  }

  /** WaitForFirstConsumer: claims still unbound when their first pod is placed follow its node. */
  void bindUnboundClaims(Pod pod, String zone) {
    if (pod.getSpec().getVolumes() == null) {
      return;
    }
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() == null) {
        continue;
      }
      String key =
          pod.getMetadata().getNamespace() + "/" + v.getPersistentVolumeClaim().getClaimName();
      PersistentVolumeClaim pvc = context.claim(key);
      if (pvc != null && !claimZones.containsKey(key) && pvc.getSpec().getVolumeName() == null) {
        bindClaim(pvc, zone);
      }
    }
  }

  /**
   * Binds a new claim to a volume in its zone, unless it waits for its first consumer (or for its
   * snapshot). Returns true when pending pods may fit now.
   */
  boolean onClaim(PersistentVolumeClaim pvc) {
    String key = pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName();
    if (pvc.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    if (pvc.getSpec().getVolumeName() != null || claimZones.containsKey(key)) {
      return false;
    }
    if (waitsForFirstConsumer(pvc)) {
      return true;
    }
    Optional<String> zone = zoneHint(pvc);
    bindClaim(pvc, zone.orElseGet(nodes::defaultZone));
    return true;
  }

  private boolean waitsForFirstConsumer(PersistentVolumeClaim pvc) {
    if (zoneHint(pvc).isPresent()) {
      return false;
    }
    String className = pvc.getSpec().getStorageClassName();
    if (className == null) {
      return false;
    }
    StorageClass sc = context.client.storage().v1().storageClasses().withName(className).get();
    return sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode());
  }

  private Optional<String> zoneHint(PersistentVolumeClaim pvc) {
    Map<String, String> labels = pvc.getMetadata().getLabels();
    if (labels != null && labels.get(ClusterSimulator.ZONE_LABEL) != null) {
      return Optional.of(labels.get(ClusterSimulator.ZONE_LABEL));
    }
    Map<String, String> annotations = pvc.getMetadata().getAnnotations();
    if (annotations != null) {
      // storage backends record the zone they asked for under a "<prefix>/zone" annotation
      Optional<String> annotated =
          annotations.entrySet().stream()
              .filter(
                  e ->
                      e.getKey().equals(ClusterSimulator.ZONE_LABEL)
                          || e.getKey().endsWith("/zone"))
              .map(Map.Entry::getValue)
              .filter(v -> v != null && !v.isBlank())
              .findFirst();
      if (annotated.isPresent()) {
        return annotated;
      }
    }
    if (annotations != null && annotations.get(ClusterSimulator.SELECTED_NODE_ANNOTATION) != null) {
      return nodes.zoneOf(annotations.get(ClusterSimulator.SELECTED_NODE_ANNOTATION));
    }
    return Optional.empty();
  }

  private void bindClaim(PersistentVolumeClaim pvc, String zone) {
    String ns = pvc.getMetadata().getNamespace();
    String name = pvc.getMetadata().getName();
    String key = ns + "/" + name;
    Quantity size = requestedSize(pvc);
    if (pvc.getSpec().getDataSource() != null
        && "VolumeSnapshot".equals(pvc.getSpec().getDataSource().getKind())) {
      GenericKubernetesResource snapshot =
          context.snapshot(ns + "/" + pvc.getSpec().getDataSource().getName());
      if (snapshot == null || !SnapshotController.isReady(snapshot)) {
        // the provisioner waits for the snapshot; onSnapshot retries unbound claims
        return;
      }
      Object restoreSize = SnapshotController.status(snapshot).get("restoreSize");
      if (restoreSize != null && size == null) {
        size = new Quantity(restoreSize.toString());
      }
    }
    Quantity capacity = size == null ? new Quantity("10Gi") : size;
    claimZones.put(key, zone);
    String pvName = "pvc-" + pvc.getMetadata().getUid();
    context.write(
        "bind claim " + key + " in " + zone,
        () -> {
          PersistentVolume pv =
              new PersistentVolumeBuilder()
                  .withNewMetadata()
                  .withName(pvName)
                  .addToLabels(ClusterSimulator.SIMULATED, "true")
                  .addToLabels(ClusterSimulator.ZONE_LABEL, zone)
                  .addToAnnotations(ClusterSimulator.SIMULATED, "true")
                  .addToAnnotations("pv.kubernetes.io/provisioned-by", ClusterSimulator.CSI_DRIVER)
                  .endMetadata()
                  .withNewSpec()
                  .withCapacity(Map.of("storage", capacity))
                  .withAccessModes(pvc.getSpec().getAccessModes())
                  .withStorageClassName(pvc.getSpec().getStorageClassName())
                  .withPersistentVolumeReclaimPolicy("Delete")
                  .withNewClaimRef()
                  .withKind("PersistentVolumeClaim")
                  .withNamespace(ns)
                  .withName(name)
                  .withUid(pvc.getMetadata().getUid())
                  .endClaimRef()
                  .withNewCsi()
                  .withDriver(ClusterSimulator.CSI_DRIVER)
                  .withVolumeHandle(
                      "vol-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17))
                  .endCsi()
                  .withNewNodeAffinity()
                  .withNewRequired()
                  .addNewNodeSelectorTerm()
                  .addNewMatchExpression()
                  .withKey(ClusterSimulator.ZONE_LABEL)
                  .withOperator("In")
                  .withValues(zone)
                  .endMatchExpression()
                  .endNodeSelectorTerm()
                  .endRequired()
                  .endNodeAffinity()
                  .endSpec()
                  .withNewStatus()
                  .withPhase("Bound")
                  .endStatus()
                  .build();
          // create first, a conflict meaning a previous attempt made it: no read before it
          try {
            context.client.persistentVolumes().resource(pv).create();
          } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
              throw e;
            }
          }
          // merge patches on the claim as the informer saw it: no read before either
          var claim = context.client.persistentVolumeClaims().inNamespace(ns).resource(pvc);
          claim.patch(
              MERGE,
              json(
                  Map.of(
                      "metadata",
                      Map.of(
                          "annotations",
                          Map.of(
                              "pv.kubernetes.io/bind-completed",
                              "yes",
                              ClusterSimulator.SIMULATED,
                              "true")),
                      "spec",
                      Map.of("volumeName", pvName))));
          Map<String, Object> status = new LinkedHashMap<>();
          status.put("phase", "Bound");
          if (pvc.getSpec().getAccessModes() != null) {
            status.put("accessModes", pvc.getSpec().getAccessModes());
          }
          status.put("capacity", Map.of("storage", capacity));
          claim.subresource("status").patch(MERGE, json(Map.of("status", status)));
          claimsBound.incrementAndGet();
        });
  }

  static Quantity requestedSize(PersistentVolumeClaim pvc) {
    if (pvc.getSpec().getResources() == null
        || pvc.getSpec().getResources().getRequests() == null) {
      return null;
    }
    return pvc.getSpec().getResources().getRequests().get("storage");
  }
}
