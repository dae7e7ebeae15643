package dev.odc.testing.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;

/** What a pod asks for: the larger of requests and limits, as the scheduler counts them. */
record Resources(int gpus, long cpuMillis, long memory) {
  static Resources of(Pod pod) {
    int gpus = 0;
    long cpu = 0;
    long memory = 0;
    for (var c : pod.getSpec().getContainers()) {
      ResourceRequirements r = c.getResources();
      if (r == null) {
        continue;
      }
      gpus += (int) amount(r, ClusterSimulator.GPU_RESOURCE, BigDecimal.ONE);
      cpu += amount(r, "cpu", BigDecimal.valueOf(1000));
      memory += amount(r, "memory", BigDecimal.ONE);
    }
    return new Resources(gpus, cpu, memory);
  }

  private static long amount(ResourceRequirements r, String name, BigDecimal scale) {
    Quantity q = null;
    if (r.getRequests() != null) {
      q = r.getRequests().get(name);
    }
    if (q == null && r.getLimits() != null) {
      q = r.getLimits().get(name);
    }
    return q == null ? 0 : q.getNumericalAmount().multiply(scale).longValue();
  }
}
