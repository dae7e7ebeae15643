package dev.odc.cronjobs.availability;

import dev.odc.core.Checks;
import dev.odc.core.GpuType;
import dev.odc.core.ReservationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a snapshot of the cluster (nodes, pods) and the live reservations into one availability row
 * per GPU type. Pure: no I/O, no clock; the caller passes {@code now}. Linear in nodes + pods +
 * reservations, so it can be called with thousands of nodes on every run.
 */
public final class AvailabilityCalculator {

  /**
   * A node as far as availability is concerned.
   *
   * @param gpuTypeLabel value of the GPU-type label, or null when the node has none
   * @param allocatableGpus {@code nvidia.com/gpu} the kubelet advertises as allocatable
   */
  public record NodeInfo(
      String name, String gpuTypeLabel, int allocatableGpus, boolean ready, boolean schedulable) {
    public NodeInfo {
      Checks.notBlank(name, "name");
      Checks.nonNegative(allocatableGpus, "allocatableGpus");
    }

    boolean usable() {
      return ready && schedulable && gpuTypeLabel != null && allocatableGpus > 0;
    }
  }

  /**
   * A pod that may hold GPUs.
   *
   * @param nodeName the node it is bound to, or null while unscheduled (then it holds nothing)
   * @param gpus {@code nvidia.com/gpu} it requests, summed over its containers
   * @param finished phase Succeeded or Failed: its GPUs are free again
   */
  public record PodInfo(String name, String nodeName, int gpus, boolean finished) {
    public PodInfo {
      Checks.notBlank(name, "name");
      Checks.nonNegative(gpus, "gpus");
    }
  }

  /** A live reservation: queued ones make demand, active ones free GPUs when they expire. */
  public record ReservationInfo(
      String gpuType, ReservationStatus status, int totalGpus, Instant expiresAt) {
    public ReservationInfo {
      Checks.notBlank(gpuType, "gpuType");
      Checks.notNull(status, "status");
      Checks.nonNegative(totalGpus, "totalGpus");
    }
  }

  /** What the catalog ({@code gpu_types}) knows of a type before availability is counted. */
  public record GpuTypeSpec(
      String name, String nodeLabelValue, int gpusPerNode, int cpusPerNode, int memoryGbPerNode) {
    public GpuTypeSpec {
      Checks.notBlank(name, "name");
      Checks.notBlank(nodeLabelValue, "nodeLabelValue");
      Checks.positive(gpusPerNode, "gpusPerNode");
      Checks.nonNegative(cpusPerNode, "cpusPerNode");
      Checks.nonNegative(memoryGbPerNode, "memoryGbPerNode");
    }

    public static GpuTypeSpec of(GpuType t) {
      return new GpuTypeSpec(
          t.name(), t.nodeLabelValue(), t.gpusPerNode(), t.cpusPerNode(), t.memoryGbPerNode());
    }
  }

  /**
   * One row per type in {@code types}, in the same order. A type with no usable node gets zeros.
   *
   * <ul>
   *   <li>total: allocatable GPUs of Ready, schedulable nodes carrying the type's label
   *   <li>in use: GPUs requested by bound, unfinished pods on those nodes (capped per node)
   *   <li>full nodes free: nodes with no GPU in use
   *   <li>max reservable: the larger of the most GPUs free on one node and, for multi-node
   *       reservations, whole free nodes × GPUs per node
   *   <li>queued: number of PENDING and QUEUED reservations of the type
   *   <li>estimated wait: 0 when a GPU is free and nobody waits; otherwise the time until active
   *       reservations expiring in order have freed enough GPUs for the queue plus one more GPU
   *       (the last known expiry when they never do; 0 when nothing active has an expiry)
   * </ul>
   */
  public List<GpuType> compute(
      List<GpuTypeSpec> types,
      List<NodeInfo> nodes,
      List<PodInfo> pods,
      List<ReservationInfo> reservations,
      Instant now) {
    Checks.notNull(now, "now");
    Map<String, Integer> usedByNode = new HashMap<>();
    for (PodInfo pod : pods) {
      if (pod.nodeName() != null && !pod.finished() && pod.gpus() > 0) {
        usedByNode.merge(pod.nodeName(), pod.gpus(), Integer::sum);
      }
    }
    Map<String, Tally> byLabel = new HashMap<>();
    for (GpuTypeSpec type : types) {
      byLabel.putIfAbsent(type.nodeLabelValue(), new Tally());
    }
    for (NodeInfo node : nodes) {
      if (!node.usable()) {
        continue;
      }
      Tally tally = byLabel.get(node.gpuTypeLabel());
      if (tally == null) {
        continue; // a GPU node of a type the catalog does not list
      }
      int used = Math.min(node.allocatableGpus(), usedByNode.getOrDefault(node.name(), 0));
      int free = node.allocatableGpus() - used;
      tally.total += node.allocatableGpus();
      tally.used += used;
      tally.free += free;
      tally.maxFreeOnNode = Math.max(tally.maxFreeOnNode, free);
      if (used == 0) {
        tally.fullNodesFree++;
      }
    }
    Map<String, List<ReservationInfo>> resByType = new HashMap<>();
    for (ReservationInfo r : reservations) {
      resByType.computeIfAbsent(r.gpuType(), k -> new ArrayList<>()).add(r);
    }
    List<GpuType> rows = new ArrayList<>(types.size());
    for (GpuTypeSpec type : types) {
      Tally t = byLabel.get(type.nodeLabelValue());
      List<ReservationInfo> live = resByType.getOrDefault(type.name(), List.of());
      int queued = 0;
      int queuedGpus = 0;
      List<ReservationInfo> active = new ArrayList<>();
      for (ReservationInfo r : live) {
        if (r.status() == ReservationStatus.PENDING || r.status() == ReservationStatus.QUEUED) {
          queued++;
          queuedGpus += r.totalGpus();
        } else if (r.status() == ReservationStatus.ACTIVE && r.expiresAt() != null) {
          active.add(r);
        }
      }
      int multiNode = t.fullNodesFree >= 2 ? t.fullNodesFree * type.gpusPerNode() : 0;
      int maxReservable = Math.max(t.maxFreeOnNode, multiNode);
      long wait = estimateWait(t.free, queuedGpus, active, now);
      rows.add(
          new GpuType(
              type.name(),
              type.nodeLabelValue(),
              type.gpusPerNode(),
              type.cpusPerNode(),
              type.memoryGbPerNode(),
              t.total,
              t.used,
              t.free,
              t.fullNodesFree,
              maxReservable,
              queued,
              wait,
              now));
    }
    return rows;
  }

  private static long estimateWait(
      int free, int queuedGpus, List<ReservationInfo> active, Instant now) {
    int needed = queuedGpus + 1 - free;
    if (needed <= 0 || active.isEmpty()) {
      return 0;
    }
    active.sort(Comparator.comparing(ReservationInfo::expiresAt));
    Instant when = now;
    int freed = 0;
    for (ReservationInfo r : active) {
      freed += r.totalGpus();
      when = r.expiresAt();
      if (freed >= needed) {
        break;
      }
    }
    return Math.max(0, Duration.between(now, when).toSeconds());
  }

  private static final class Tally {
    int total;
    int used;
    int free;
    int fullNodesFree;
    int maxFreeOnNode;
  }
}
