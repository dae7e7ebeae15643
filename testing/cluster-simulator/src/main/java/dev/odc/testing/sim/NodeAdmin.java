package dev.odc.testing.sim;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node administration: creates, removes, cordons and (un)readies simulated GPU nodes through the
 * API, and keeps the cache of the nodes the informer reports, with what the placed pods take of
 * each (the cache is touched on the loop thread only).
 */
final class NodeAdmin {
  private static final Logger log = LoggerFactory.getLogger(ClusterSimulator.class);

  private final KubernetesClient client;
  private final String gpuTypeLabel;
  private final List<NodePool> initialPools;
  private final Map<String, AtomicInteger> nodeCounters = new ConcurrentHashMap<>();
  private final AtomicInteger nodeIndex = new AtomicInteger();

  // loop
  private final Map<String, SimNode> nodes = new HashMap<>();

  NodeAdmin(KubernetesClient client, String gpuTypeLabel, List<NodePool> initialPools) {
    this.client = client;
    this.gpuTypeLabel = gpuTypeLabel;
    this.initialPools = List.copyOf(initialPools);
  }

  /** Creates the nodes of the pools the simulator was built with. */
  void addInitialNodes() {
    for (NodePool pool : initialPools) {
      addNodes(pool);
    }
  }

  int initialPoolCount() {
    return initialPools.size();
  }

  /** Creates the nodes of {@code pool} and returns their names. */
  List<String> addNodes(NodePool pool) {
    Objects.requireNonNull(pool, "pool is null");
    List<String> names = new ArrayList<>();
    AtomicInteger counter = nodeCounters.computeIfAbsent(pool.gpuType(), t -> new AtomicInteger());
    for (int i = 0; i < pool.count(); i++) {
      String zone = pool.zones().get(i % pool.zones().size());
      String name;
      do {
        name = "sim-" + sanitize(pool.gpuType()) + "-" + counter.getAndIncrement();
      } while (client.nodes().withName(name).get() != null);
      client.nodes().resource(node(name, pool, zone, nodeIndex.getAndIncrement())).create();
      names.add(name);
    }
    log.info("Added {} simulated {} node(s): {}", names.size(), pool.gpuType(), names);
    return List.copyOf(names);
  }

  /** Deletes a node; like the pod garbage collector, its pods go with it. */
  void removeNode(String name) {
    client.nodes().withName(name).delete();
  }

  /** Flips the node's Ready condition; pods on a node that is not Ready stay where they are. */
  void setNodeReady(String name, boolean ready) {
    client
        .nodes()
        .withName(name)
        .editStatus(
            n -> {
              n.getStatus().getConditions().stream()
                  .filter(c -> "Ready".equals(c.getType()))
                  .forEach(c -> c.setStatus(ready ? "True" : "False"));
              return n;
            });
  }

  /** Marks the node (un)schedulable, as {@code kubectl cordon} does. */
  void cordon(String name, boolean cordoned) {
    client
        .nodes()
        .withName(name)
        .edit(
            n -> {
              n.getSpec().setUnschedulable(cordoned);
              return n;
            });
  }

  private Node node(String name, NodePool pool, String zone, int index) {
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(Integer.toString(pool.cpusPerNode())));
    capacity.put("memory", new Quantity(pool.memoryGiPerNode() + "Gi"));
    capacity.put("pods", new Quantity("110"));
    capacity.put("ephemeral-storage", new Quantity("500Gi"));
    if (pool.gpusPerNode() > 0) {
      capacity.put(
          ClusterSimulator.GPU_RESOURCE, new Quantity(Integer.toString(pool.gpusPerNode())));
    }
    String now = Instant.now().toString();
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels(ClusterSimulator.SIMULATED, "true")
            .addToLabels("kubernetes.io/hostname", name)
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels(ClusterSimulator.ZONE_LABEL, zone)
            .addToLabels(gpuTypeLabel, pool.gpuType())
            .addToAnnotations(ClusterSimulator.SIMULATED, "true")
            .endMetadata()
            .withNewSpec()
            .withProviderID("sim://" + zone + "/" + name)
            .endSpec()
            .withNewStatus()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("KubeletReady")
            .withMessage("simulated kubelet is posting ready status")
            .withLastHeartbeatTime(now)
            .withLastTransitionTime(now)
            .endCondition()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress("10.0." + (index / 250) + "." + (index % 250 + 2))
            .endAddress()
            .addNewAddress()
            .withType("ExternalIP")
            .withAddress("203.0." + (113 + index / 250) + "." + (index % 250 + 2))
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(name)
            .endAddress()
            .endStatus();
    if (pool.gpusPerNode() > 0) {
      b.editSpec()
          .addNewTaint()
          .withKey(ClusterSimulator.GPU_RESOURCE)
          .withValue("present")
          .withEffect("NoSchedule")
          .endTaint()
          .endSpec();
    }
    return b.build();
  }

  // ---------------------------------------------------------------- the cache (loop thread)

  /** A node was added or changed: its capacity is re-read, what pods take of it is kept. */
  void onNode(Node node) {
    String name = node.getMetadata().getName();
    SimNode previous = nodes.get(name);
    SimNode current = SimNode.of(node);
    if (previous != null) {
      current.usedGpus = previous.usedGpus;
      current.usedCpuMillis = previous.usedCpuMillis;
      current.usedMemory = previous.usedMemory;
    }
    nodes.put(name, current);
  }

  void onNodeGone(Node node) {
    nodes.remove(node.getMetadata().getName());
  }

  /** The node named so, if the informer has reported it and it was not deleted since. */
  SimNode get(String name) {
    return nodes.get(name);
  }

  /** Every known node, by name. */
  List<SimNode> byName() {
    return nodes.values().stream().sorted(Comparator.comparing(n -> n.name)).toList();
  }

  int count() {
    return nodes.size();
  }

  /** The zone of the named node, if it is known. */
  Optional<String> zoneOf(String nodeName) {
    SimNode node = nodes.get(nodeName);
    return node == null ? Optional.empty() : Optional.of(node.zone);
  }

  /** Where a claim without a zone hint goes: the first zone by name, or the first pool's. */
  String defaultZone() {
    return nodes.values().stream()
        .map(n -> n.zone)
        .filter(Objects::nonNull)
        .sorted()
        .findFirst()
        .orElse(initialPools.isEmpty() ? "zone-a" : initialPools.get(0).zones().get(0));
  }

  private static String sanitize(String value) {
    String s = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return s.isEmpty() ? "gpu" : s;
  }
}
