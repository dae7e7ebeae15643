package dev.odc.processor;

import dev.odc.core.Labels;
import dev.odc.processor.placement.NodeView;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Free {@code nvidia.com/gpu} per node, from shared informers over Nodes and Pods (no list call per
 * message). Only Ready, schedulable nodes with the GPU type label count. Also caches ODC's services
 * of the reservations namespace, so their NodePorts are read without a request.
 */
public final class ClusterCapacity implements AutoCloseable {

  private final KubernetesClient client;
  private final String gpuTypeLabel;
  private SharedIndexInformer<Node> nodes;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<Service> services;

  private static final String BY_RESERVATION = "reservation";

  public ClusterCapacity(KubernetesClient client, String gpuTypeLabel) {
    this.client = Objects.requireNonNull(client, "client is null");
    this.gpuTypeLabel = Objects.requireNonNull(gpuTypeLabel, "gpuTypeLabel is null");
  }

  /**
   * Starts the informers and returns once both hold their initial lists.
   *
   * @param onCapacityFreed called with a GPU type (or null when unknown) when GPUs may have freed
   * @param onManagedPod called for every change of a pod labelled as ODC's, with true when the pod
   *     is gone
   * @param serviceNamespace where ODC's services live
   * @param onManagedService called when a service labelled as ODC's is added or changes
   */
  public void start(
      Consumer<String> onCapacityFreed,
      BiConsumer<Pod, Boolean> onManagedPod,
      String serviceNamespace,
      Consumer<Service> onManagedService) {
    nodes =
        client
            .nodes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node node) {
                    onCapacityFreed.accept(label(node));
                  }

                  @Override
                  public void onUpdate(Node oldNode, Node newNode) {
                    if (usable(newNode) && !usable(oldNode)) {
                      onCapacityFreed.accept(label(newNode));
                    }
                  }

                  @Override
                  public void onDelete(Node node, boolean unknown) {}
                },
                0);
    pods = client.pods().inAnyNamespace().runnableInformer(0);
    // a reservation's pods by its id, so looking them up does not scan every pod in the cluster
    pods.addIndexers(
        Map.of(
            BY_RESERVATION,
            pod ->
                managed(pod)
                    ? List.of(
                        pod.getMetadata().getNamespace()
                            + "/"
                            + pod.getMetadata().getLabels().get(Labels.RESERVATION_ID))
                    : List.of()));
    pods.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            if (managed(pod)) {
              onManagedPod.accept(pod, false);
            }
          }

          @Override
          public void onUpdate(Pod oldPod, Pod newPod) {
            if (managed(newPod)) {
              onManagedPod.accept(newPod, false);
            }
            if (!terminated(oldPod) && terminated(newPod)) {
              onCapacityFreed.accept(gpuTypeOf(newPod));
            }
          }

          @Override
          public void onDelete(Pod pod, boolean unknown) {
            if (managed(pod)) {
              onManagedPod.accept(pod, true);
            }
            onCapacityFreed.accept(gpuTypeOf(pod));
          }
        });
    pods.run();
    services =
        client
            .services()
            .inNamespace(serviceNamespace)
            .withLabel(Labels.MANAGED_BY, Labels.ODC)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Service service) {
                    onManagedService.accept(service);
                  }

                  @Override
                  public void onUpdate(Service oldService, Service newService) {
                    onManagedService.accept(newService);
                  }

                  @Override
                  public void onDelete(Service service, boolean unknown) {}
                },
                0);
  }

  /** A service of the reservations namespace from the informer cache. */
  public Optional<Service> service(String namespace, String name) {
    return services == null
        ? Optional.empty()
        : Optional.ofNullable(services.getStore().getByKey(namespace + "/" + name));
  }

  /** Usable nodes of a GPU type with their free GPUs, most free first. */
  public List<NodeView> nodes(String gpuType) {
    Map<String, Integer> used = new HashMap<>();
    for (Pod pod : pods.getStore().list()) {
      String node = pod.getSpec().getNodeName();
      if (node != null && !terminated(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
        used.merge(node, gpus(pod), Integer::sum);
      }
    }
    List<NodeView> result = new ArrayList<>();
    for (Node node : nodes.getStore().list()) {
      if (!usable(node) || !gpuType.equals(label(node))) {
        continue;
      }
      Map<String, Quantity> alloc = node.getStatus().getAllocatable();
      int gpus = amount(alloc, Labels.GPU_RESOURCE, BigDecimal.ONE).intValue();
      String name = node.getMetadata().getName();
      result.add(
          new NodeView(
              name,
              gpuType,
              node.getMetadata().getLabels().get(Labels.ZONE),
              gpus,
              Math.max(0, gpus - used.getOrDefault(name, 0)),
              amount(alloc, "cpu", BigDecimal.valueOf(1000)).longValue(),
              amount(alloc, "memory", BigDecimal.ONE).longValue(),
              address(node)));
    }
    result.sort(
        Comparator.comparingInt(NodeView::freeGpus).reversed().thenComparing(NodeView::name));
    return result;
  }

  /** The address users reach a node's NodePorts on: ExternalIP, else InternalIP. */
  public Optional<String> nodeAddress(String nodeName) {
    Node node = nodes.getStore().getByKey(nodeName);
    return node == null ? Optional.empty() : Optional.ofNullable(address(node));
  }

  /** A pod from the informer cache. */
  public Optional<Pod> pod(String namespace, String name) {
    return Optional.ofNullable(pods.getStore().getByKey(namespace + "/" + name));
  }

  /** Cached pods of a reservation. */
  public List<Pod> podsOf(String namespace, String reservationId) {
    return List.copyOf(pods.getIndexer().byIndex(BY_RESERVATION, namespace + "/" + reservationId));
  }

  @Override
  public void close() {
    if (services != null) {
      services.close();
    }
    if (pods != null) {
      pods.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  static int gpus(Pod pod) {
    int total = 0;
    for (var c : pod.getSpec().getContainers()) {
      if (c.getResources() == null) {
        continue;
      }
      Quantity q = null;
      if (c.getResources().getLimits() != null) {
        q = c.getResources().getLimits().get(Labels.GPU_RESOURCE);
      }
      if (q == null && c.getResources().getRequests() != null) {
        q = c.getResources().getRequests().get(Labels.GPU_RESOURCE);
      }
      if (q != null) {
        total += q.getNumericalAmount().intValue();
      }
    }
    return total;
  }

  private String gpuTypeOf(Pod pod) {
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    return selector == null ? null : selector.get(gpuTypeLabel);
  }

  private String label(Node node) {
    return node.getMetadata().getLabels() == null
        ? null
        : node.getMetadata().getLabels().get(gpuTypeLabel);
  }

  private static boolean managed(Pod pod) {
    return pod.getMetadata().getLabels() != null
        && Labels.ODC.equals(pod.getMetadata().getLabels().get(Labels.MANAGED_BY))
        && pod.getMetadata().getLabels().containsKey(Labels.RESERVATION_ID);
  }

  static boolean terminated(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static boolean usable(Node node) {
    if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return false;
    }
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static BigDecimal amount(Map<String, Quantity> values, String key, BigDecimal scale) {
    if (values == null || values.get(key) == null) {
      return BigDecimal.ZERO;
    }
    return values.get(key).getNumericalAmount().multiply(scale);
  }

  private static String address(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return null;
    }
    String internal = null;
    for (var a : node.getStatus().getAddresses()) {
      if ("ExternalIP".equals(a.getType())) {
        return a.getAddress();
      }
      if ("InternalIP".equals(a.getType())) {
        internal = a.getAddress();
      }
    }
    return internal;
  }
}
