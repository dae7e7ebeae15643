package dev.odc.cronjobs.availability;

import dev.odc.core.Labels;
import dev.odc.cronjobs.availability.AvailabilityCalculator.NodeInfo;
import dev.odc.cronjobs.availability.AvailabilityCalculator.PodInfo;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/** Converts fabric8 Nodes and Pods into the calculator's inputs. */
public final class ClusterView {

  private ClusterView() {}

  /**
   * @param gpuTypeLabelKey the node label naming the GPU type, e.g. {@code odc.dev/gpu-type}
   */
  public static NodeInfo node(Node node, String gpuTypeLabelKey) {
    Map<String, String> labels = node.getMetadata().getLabels();
    String type = labels == null ? null : labels.get(gpuTypeLabelKey);
    int gpus = 0;
    boolean ready = false;
    if (node.getStatus() != null) {
      gpus = quantity(node.getStatus().getAllocatable(), Labels.GPU_RESOURCE);
      List<NodeCondition> conditions = node.getStatus().getConditions();
      if (conditions != null) {
        ready =
            conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      }
    }
    boolean schedulable =
        node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    return new NodeInfo(node.getMetadata().getName(), type, gpus, ready, schedulable);
  }

  public static PodInfo pod(Pod pod) {
    int gpus = 0;
    String nodeName = null;
    if (pod.getSpec() != null) {
      nodeName = pod.getSpec().getNodeName();
      if (pod.getSpec().getContainers() != null) {
        for (Container c : pod.getSpec().getContainers()) {
          if (c.getResources() != null) {
            // Extended resources must have requests == limits; either names the count.
            int limit = quantity(c.getResources().getLimits(), Labels.GPU_RESOURCE);
            int request = quantity(c.getResources().getRequests(), Labels.GPU_RESOURCE);
            gpus += Math.max(limit, request);
          }
        }
      }
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
    return new PodInfo(pod.getMetadata().getName(), blankToNull(nodeName), gpus, finished);
  }

  private static int quantity(Map<String, Quantity> resources, String key) {
    if (resources == null) {
      return 0;
    }
    Quantity q = resources.get(key);
    if (q == null) {
      return 0;
    }
    return q.getNumericalAmount().intValue();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
