package dev.odc.processor.placement;

import dev.odc.core.ReservationStatus;
import dev.odc.database.QueueEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * The free GPUs of one GPU type's nodes during one placement decision. Placing a reservation takes
 * its GPUs from the pool, so the reservations considered after it see only what is left. Pure: no
 * I/O, and not shared between threads (one pool per decision).
 */
public final class GpuPool {
  private final List<NodeView> nodes;
  private final Map<String, Integer> free = new LinkedHashMap<>();
  private final Map<String, String> zoneOf = new HashMap<>();

  private GpuPool(List<NodeView> nodes) {
    this.nodes = List.copyOf(nodes);
    for (NodeView n : nodes) {
      free.put(n.name(), n.freeGpus());
      zoneOf.put(n.name(), n.zone());
    }
  }

  /**
   * The nodes' free GPUs, minus what PREPARING reservations hold but whose pods are not on a node
   * yet (the nodes' own counts do not show those).
   *
   * @param live the reservations of the GPU type that wait or are being prepared
   * @param podOnNode whether a reservation's pod of a node index is already bound to a node (and so
   *     counted in that node's free GPUs)
   */
  public static GpuPool of(
      List<NodeView> nodes, List<QueueEntry> live, BiPredicate<UUID, Integer> podOnNode) {
    GpuPool pool = new GpuPool(nodes);
    for (QueueEntry p : live) {
      if (p.status() != ReservationStatus.PREPARING) {
        continue;
      }
      for (int i = 0; i < p.nodeCount(); i++) {
        if (!podOnNode.test(p.id(), i)) {
          pool.take(p.gpuCount(), null);
        }
      }
    }
    pool.free.replaceAll((k, v) -> Math.max(0, v));
    return pool;
  }

  /** The nodes' own free counts, without any reservation set aside. */
  public static GpuPool of(List<NodeView> nodes) {
    return of(nodes, List.of(), (id, i) -> true);
  }

  /** Free GPUs on all nodes together. */
  public int total() {
    return free.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Free GPUs on one node; 0 for a node the pool does not know. */
  public int freeOn(String node) {
    return free.getOrDefault(node, 0);
  }

  /**
   * Places {@code nodeCount} nodes of {@code gpuCount} GPUs each in one zone, the rule's preferred
   * zone first, then by zone name; a required zone excludes the others. When it fits, the GPUs are
   * taken from the pool.
   *
   * @return where it goes, or empty when no zone has room for all its nodes
   */
  public Optional<Placement> fit(int gpuCount, int nodeCount, ZoneRule rule) {
    Objects.requireNonNull(rule, "rule is null");
    Map<String, Set<String>> byZone = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : free.entrySet()) {
      if (e.getValue() >= gpuCount) {
        byZone
            .computeIfAbsent(Objects.toString(zoneOf.get(e.getKey()), ""), z -> new HashSet<>())
            .add(e.getKey());
      }
    }
    List<String> zones = new ArrayList<>(byZone.keySet());
    zones.sort(
        Comparator.comparing((String z) -> !z.equals(rule.preferred())).thenComparing(z -> z));
    for (String zone : zones) {
      if (rule.required() != null && !rule.required().equals(zone)) {
        continue;
      }
      Set<String> room = byZone.get(zone);
      if (room.size() >= nodeCount) {
        List<NodeView> views =
            nodes.stream().filter(n -> room.contains(n.name())).limit(nodeCount).toList();
        for (int i = 0; i < nodeCount; i++) {
          take(gpuCount, zone.isEmpty() ? null : zone);
        }
        return Optional.of(new Placement(zone.isEmpty() ? null : zone, views));
      }
    }
    return Optional.empty();
  }

  /**
   * Takes {@code gpus} from the fullest node that has them (best fit), in {@code zone} if given.
   */
  private void take(int gpus, String zone) {
    free.entrySet().stream()
        .filter(e -> e.getValue() >= gpus)
        .filter(e -> zone == null || zone.equals(zoneOf.get(e.getKey())))
        .min(Map.Entry.comparingByValue())
        .ifPresent(e -> e.setValue(e.getValue() - gpus));
  }
}
