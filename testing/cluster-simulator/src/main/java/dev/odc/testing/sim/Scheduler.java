package dev.odc.testing.sim;

import static dev.odc.testing.sim.SimContext.MERGE;
import static dev.odc.testing.sim.SimContext.json;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler: binds each pending pod to the best-fitting node with enough free GPUs, CPU and
 * memory that matches its selector, affinity, tolerations and volume zones; a pod that fits nowhere
 * stays Pending with an {@code Unschedulable} condition, in the real scheduler's words, and is
 * retried whenever capacity changes. Its state is touched on the loop thread only, so it never
 * double-books a GPU.
 */
final class Scheduler {
  private static final Logger log = LoggerFactory.getLogger(ClusterSimulator.class);

  private final SimContext context;
  private final NodeAdmin nodes;
  private final VolumeProvisioner volumes;
  private final Kubelet kubelet;
  private final AtomicLong podsBound = new AtomicLong();

  // loop
  private final Map<String, Placement> placements = new HashMap<>();
  private final LinkedHashMap<String, PodKey> pending = new LinkedHashMap<>();
  private final Map<String, String> unschedulableMessages = new HashMap<>();

  Scheduler(SimContext context, NodeAdmin nodes, VolumeProvisioner volumes, Kubelet kubelet) {
    this.context = context;
    this.nodes = nodes;
    this.volumes = volumes;
    this.kubelet = kubelet;
  }

  /** Pods bound to a node since start. */
  long podsBound() {
    return podsBound.get();
  }

  /** Like the pod garbage collector: the pods of a deleted node go with it. */
  void onNodeGone(String name) {
    List<PodKey> orphans = new ArrayList<>();
    placements.values().stream()
        .filter(p -> p.node().equals(name))
        .forEach(p -> orphans.add(p.pod()));
    for (PodKey pod : orphans) {
      context.write(
          "delete pod " + pod + " of removed node " + name,
          () -> context.client.pods().inNamespace(pod.namespace()).withName(pod.name()).delete());
    }
  }

  void onPod(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      onPodGone(pod);
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      if (release(uid)) {
        retryPending();
      }
      return;
    }
    String nodeName = pod.getSpec().getNodeName();
    if (nodeName != null && !nodeName.isBlank()) {
      pending.remove(uid);
      unschedulableMessages.remove(uid);
      if (!placements.containsKey(uid)) {
        // bound by someone else, or before this simulator started
        Resources r = Resources.of(pod);
        placements.put(uid, new Placement(PodKey.of(pod), nodeName, r));
        SimNode node = nodes.get(nodeName);
        if (node != null) {
          node.take(r);
        }
      }
      kubelet.onBoundPod(pod, () -> hostIp(uid));
      return;
    }
    pending.putIfAbsent(uid, PodKey.of(pod));
    trySchedule(pod);
  }

  void onPodGone(Pod pod) {
    String uid = pod.getMetadata().getUid();
    pending.remove(uid);
    unschedulableMessages.remove(uid);
    kubelet.onPodGone(uid);
    if (release(uid)) {
      retryPending();
    }
  }

  private boolean release(String uid) {
    Placement p = placements.remove(uid);
    if (p == null) {
      return false;
    }
    SimNode node = nodes.get(p.node());
    if (node != null) {
      node.give(p.resources());
    }
    return true;
  }

  void retryPending() {
    if (pending.isEmpty()) {
      return;
    }
    for (PodKey key : List.copyOf(pending.values())) {
      Pod pod = context.pod(key);
      if (pod == null) {
        pending.values().remove(key);
        continue;
      }
      if (pod.getSpec().getNodeName() == null) {
        trySchedule(pod);
      }
    }
  }

  private void trySchedule(Pod pod) {
    String uid = pod.getMetadata().getUid();
    Resources wanted = Resources.of(pod);
    Map<String, Integer> reasons = new LinkedHashMap<>();
    List<String> claimZonesWanted = new ArrayList<>();
    Optional<String> claimProblem = volumes.claimConstraints(pod, claimZonesWanted);
    if (claimProblem.isPresent()) {
      markUnschedulable(pod, claimProblem.get());
      return;
    }
    SimNode best = null;
    for (SimNode node : nodes.byName()) {
      String why = node.rejects(pod, wanted, claimZonesWanted);
      if (why != null) {
        reasons.merge(why, 1, Integer::sum);
        continue;
      }
      // best fit: keep whole nodes free for large reservations
      if (best == null || node.freeGpus() - wanted.gpus() < best.freeGpus() - wanted.gpus()) {
        best = node;
      }
    }
    if (best == null) {
      StringBuilder message =
          new StringBuilder().append("0/").append(nodes.count()).append(" nodes are available");
      String sep = ": ";
      for (Map.Entry<String, Integer> e : reasons.entrySet()) {
        message.append(sep).append(e.getValue()).append(' ').append(e.getKey());
        sep = ", ";
      }
      message.append('.');
      markUnschedulable(pod, message.toString());
      return;
    }
    SimNode chosen = best;
    chosen.take(wanted);
    PodKey key = PodKey.of(pod);
    placements.put(uid, new Placement(key, chosen.name, wanted));
    pending.remove(uid);
    unschedulableMessages.remove(uid);
    kubelet.take(uid);
    volumes.bindUnboundClaims(pod, chosen.zone);
    context.write(
        "bind pod " + key + " to " + chosen.name,
        () -> {
          bind(pod, chosen.name);
          podsBound.incrementAndGet();
          context.execute(() -> kubelet.scheduleStart(key, () -> hostIp(uid)));
        });
  }

  private void markUnschedulable(Pod pod, String message) {
    String uid = pod.getMetadata().getUid();
    if (message.equals(unschedulableMessages.put(uid, message))) {
      return;
    }
    PodKey key = PodKey.of(pod);
    log.debug("Pod {} is unschedulable: {}", key, message);
    context.write(
        "mark pod " + key + " unschedulable",
        () ->
            context.editPodStatus(
                key,
                p -> {
                  PodConditions.ensureStatus(p).setPhase("Pending");
                  PodConditions.set(
                      p,
                      PodConditions.condition("PodScheduled", "False", "Unschedulable", message));
                  return p;
                }));
  }

  private void bind(Pod seen, String nodeName) {
    // Merge patches on the pod as the informer saw it: a patch by name alone reads the pod first
    // (fabric8 fetches the item it patches).
    var pod = context.client.pods().inNamespace(seen.getMetadata().getNamespace()).resource(seen);
    pod.patch(
        MERGE,
        json(
            Map.of(
                "metadata",
                Map.of("annotations", Map.of(ClusterSimulator.SIMULATED, "true")),
                "spec",
                Map.of("nodeName", nodeName))));
    if (kubelet.startsAtOnce(seen)) {
      return; // it starts at once, and its Running status carries PodScheduled with the rest
    }
    pod.subresource("status")
        .patch(
            MERGE,
            json(
                Map.of(
                    "status",
                    Map.of(
                        "phase",
                        "Pending",
                        "conditions",
                        List.of(PodConditions.condition("PodScheduled", "True", null, null))))));
  }

  /** The internal IP of the node the pod is placed on; empty when it is placed nowhere (gone). */
  private Optional<String> hostIp(String uid) {
    Placement placement = placements.get(uid);
    if (placement == null) {
      return Optional.empty();
    }
    SimNode node = nodes.get(placement.node());
    return Optional.of(node == null ? "10.0.0.1" : node.internalIp);
  }

  private record Placement(PodKey pod, String node, Resources resources) {}
}
