package dev.odc.processor.status;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Objects;
import java.util.Optional;

/** What a pod's or a service's status says, read the same way everywhere in the processor. */
public final class PodStatus {
  private PodStatus() {}

  /** Running with its Ready condition true. */
  public static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The scheduler's reason for not placing the pod, or empty when it is placed or not tried. */
  public static Optional<String> unschedulableMessage(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
        .map(c -> Objects.toString(c.getMessage(), "no node fits"))
        .findFirst();
  }

  /** The NodePort the service controller assigned, or empty while it has not. */
  public static Optional<Integer> nodePortOf(Service service) {
    if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
      return Optional.empty();
    }
    return service.getSpec().getPorts().stream()
        .map(p -> p.getNodePort())
        .filter(Objects::nonNull)
        .findFirst();
  }
}
