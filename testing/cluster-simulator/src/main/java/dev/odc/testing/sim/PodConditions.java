package dev.odc.testing.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Pod status conditions as the scheduler and the kubelet write them. */
final class PodConditions {
  private PodConditions() {}

  static PodStatus ensureStatus(Pod p) {
    if (p.getStatus() == null) {
      p.setStatus(new PodStatus());
    }
    return p.getStatus();
  }

  static PodCondition condition(String type, String status, String reason, String message) {
    String now = Instant.now().toString();
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastProbeTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  /** Replaces the pod's condition of the same type, or adds it. */
  static void set(Pod p, PodCondition condition) {
    List<PodCondition> conditions = new ArrayList<>();
    if (p.getStatus().getConditions() != null) {
      p.getStatus().getConditions().stream()
          .filter(c -> !condition.getType().equals(c.getType()))
          .forEach(conditions::add);
    }
    conditions.add(condition);
    p.getStatus().setConditions(conditions);
  }
}
