package dev.odc.testing.sim;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The scheduler's view of one node: its labels, taints, readiness and allocatable resources, and
 * how much of them the pods placed on it take. Touched on the loop thread only.
 */
final class SimNode {
  String name;
  String zone;
  String internalIp;
  Map<String, String> labels;
  List<Taint> taints;
  boolean ready;
  boolean unschedulable;
  int gpus;
  long cpuMillis;
  long memory;
  int usedGpus;
  long usedCpuMillis;
  long usedMemory;

  static SimNode of(Node node) {
    SimNode n = new SimNode();
    n.name = node.getMetadata().getName();
    n.labels =
        node.getMetadata().getLabels() == null
            ? Map.of()
            : Map.copyOf(node.getMetadata().getLabels());
    n.zone = n.labels.get(ClusterSimulator.ZONE_LABEL);
    n.taints =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : List.copyOf(node.getSpec().getTaints());
    n.unschedulable =
        node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    var status = node.getStatus();
    n.ready =
        status != null
            && status.getConditions() != null
            && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    Map<String, Quantity> alloc =
        status == null || status.getAllocatable() == null ? Map.of() : status.getAllocatable();
    n.gpus =
        alloc.containsKey(ClusterSimulator.GPU_RESOURCE)
            ? alloc.get(ClusterSimulator.GPU_RESOURCE).getNumericalAmount().intValue()
            : 0;
    n.cpuMillis =
        alloc.containsKey("cpu")
            ? alloc.get("cpu").getNumericalAmount().multiply(BigDecimal.valueOf(1000)).longValue()
            : 0;
    n.memory =
        alloc.containsKey("memory") ? alloc.get("memory").getNumericalAmount().longValue() : 0;
    n.internalIp =
        status == null || status.getAddresses() == null
            ? "10.0.0.1"
            : status.getAddresses().stream()
                .filter(a -> "InternalIP".equals(a.getType()))
                .map(a -> a.getAddress())
                .findFirst()
                .orElse("10.0.0.1");
    return n;
  }

  int freeGpus() {
    return gpus - usedGpus;
  }

  void take(Resources r) {
    usedGpus += r.gpus();
    usedCpuMillis += r.cpuMillis();
    usedMemory += r.memory();
  }

  void give(Resources r) {
    usedGpus -= r.gpus();
    usedCpuMillis -= r.cpuMillis();
    usedMemory -= r.memory();
  }

  /** Why the pod cannot go here, in the scheduler's words, or null when it fits. */
  String rejects(Pod pod, Resources wanted, List<String> claimZones) {
    if (!ready) {
      return "node(s) were not ready";
    }
    if (unschedulable) {
      return "node(s) were unschedulable";
    }
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    if (selector != null
        && selector.entrySet().stream()
            .anyMatch(e -> !e.getValue().equals(labels.get(e.getKey())))) {
      return "node(s) didn't match Pod's node affinity/selector";
    }
    if (!matchesAffinity(pod)) {
      return "node(s) didn't match Pod's node affinity/selector";
    }
    for (Taint taint : taints) {
      if (("NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect()))
          && !tolerated(taint, pod.getSpec().getTolerations())) {
        return "node(s) had untolerated taint {" + taint.getKey() + ": " + taint.getValue() + "}";
      }
    }
    if (claimZones.stream().anyMatch(z -> !z.equals(zone))) {
      return "node(s) had volume node affinity conflict";
    }
    if (wanted.gpus() > gpus - usedGpus) {
      return "Insufficient " + ClusterSimulator.GPU_RESOURCE;
    }
    if (wanted.cpuMillis() > cpuMillis - usedCpuMillis) {
      return "Insufficient cpu";
    }
    if (wanted.memory() > memory - usedMemory) {
      return "Insufficient memory";
    }
    return null;
  }

  private boolean matchesAffinity(Pod pod) {
    var affinity = pod.getSpec().getAffinity();
    if (affinity == null
        || affinity.getNodeAffinity() == null
        || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return true;
    }
    List<NodeSelectorTerm> terms =
        affinity
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms();
    if (terms == null || terms.isEmpty()) {
      return true;
    }
    return terms.stream()
        .anyMatch(
            t ->
                t.getMatchExpressions() == null
                    || t.getMatchExpressions().stream().allMatch(this::matches));
  }

  private boolean matches(NodeSelectorRequirement r) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt" ->
          value != null
              && !values.isEmpty()
              && Long.parseLong(value) > Long.parseLong(values.get(0));
      case "Lt" ->
          value != null
              && !values.isEmpty()
              && Long.parseLong(value) < Long.parseLong(values.get(0));
      default -> false;
    };
  }

  private static boolean tolerated(Taint taint, List<Toleration> tolerations) {
    if (tolerations == null) {
      return false;
    }
    for (Toleration t : tolerations) {
      boolean effect =
          t.getEffect() == null
              || t.getEffect().isEmpty()
              || t.getEffect().equals(taint.getEffect());
      if (!effect) {
        continue;
      }
      if (t.getKey() == null || t.getKey().isEmpty()) {
        if ("Exists".equals(t.getOperator())) {
          return true;
        }
        continue;
      }
      if (!t.getKey().equals(taint.getKey())) {
        continue;
      }
      if ("Exists".equals(t.getOperator()) || Objects.equals(t.getValue(), taint.getValue())) {
        return true;
      }
    }
    return false;
  }
}
