package dev.odc.bench;

import dev.odc.core.Labels;
import dev.odc.core.ReservationStatus;
import dev.odc.cronjobs.availability.AvailabilityCalculator;
import dev.odc.cronjobs.availability.AvailabilityCalculator.GpuTypeSpec;
import dev.odc.cronjobs.availability.AvailabilityCalculator.NodeInfo;
import dev.odc.cronjobs.availability.AvailabilityCalculator.PodInfo;
import dev.odc.cronjobs.availability.AvailabilityCalculator.ReservationInfo;
import dev.odc.cronjobs.availability.ClusterView;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Figure 4: the cronjobs' availability computation over fabric8 Nodes and Pods held in memory, as
 * the informer cache holds them (conversion through {@link ClusterView} included).
 */
final class AvailabilityBench {
  private static final String LABEL = Labels.DEFAULT_GPU_TYPE;

  private AvailabilityBench() {}

  static void run(Report report, boolean quick) {
    int nodeCount = 2000;
    int podsPerNode = 10;
    List<Node> nodes = new ArrayList<>(nodeCount);
    List<Pod> pods = new ArrayList<>(nodeCount * podsPerNode);
    for (int n = 0; n < nodeCount; n++) {
      String type = n % 2 == 0 ? "h100" : "a100";
      nodes.add(
          new NodeBuilder()
              .withNewMetadata()
              .withName("node-" + n)
              .withLabels(Map.of(LABEL, type))
              .endMetadata()
              .withNewSpec()
              .endSpec()
              .withNewStatus()
              .withAllocatable(
                  Map.of(Labels.GPU_RESOURCE, new Quantity("8"), "cpu", new Quantity("192")))
              .addNewCondition()
              .withType("Ready")
              .withStatus("True")
              .endCondition()
              .endStatus()
              .build());
      for (int p = 0; p < podsPerNode; p++) {
        pods.add(
            new PodBuilder()
                .withNewMetadata()
                .withName("pod-" + n + "-" + p)
                .withNamespace("odc-reservations")
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-" + n)
                .addNewContainer()
                .withName("dev")
                .withNewResources()
                .withLimits(Map.of(Labels.GPU_RESOURCE, new Quantity(p % 3 == 0 ? "1" : "0")))
                .withRequests(Map.of("cpu", new Quantity("4")))
                .endResources()
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase(p == 9 ? "Succeeded" : "Running")
                .endStatus()
                .build());
      }
    }
    Instant now = Instant.now();
    List<ReservationInfo> reservations = new ArrayList<>();
    for (int r = 0; r < 5000; r++) {
      reservations.add(
          new ReservationInfo(
              r % 2 == 0 ? "h100" : "a100",
              r % 10 == 0 ? ReservationStatus.QUEUED : ReservationStatus.ACTIVE,
              1,
              now.plusSeconds(60L + r)));
    }
    List<GpuTypeSpec> types =
        List.of(
            new GpuTypeSpec("h100", "h100", 8, 192, 2048),
            new GpuTypeSpec("a100", "a100", 8, 96, 1024));
    AvailabilityCalculator calculator = new AvailabilityCalculator();
    int runs = quick ? 20 : 200;
    int warmup = quick ? 5 : 100;
    double[] computation = new double[runs];
    double[] plain = new double[runs];
    long sink = 0;
    for (int i = 0; i < warmup + runs; i++) {
      long start = System.nanoTime();
      List<NodeInfo> nodeInfos = new ArrayList<>(nodes.size());
      for (Node node : nodes) {
        nodeInfos.add(ClusterView.node(node, LABEL));
      }
      List<PodInfo> podInfos = new ArrayList<>(pods.size());
      for (Pod pod : pods) {
        podInfos.add(ClusterView.pod(pod));
      }
      sink += calculator.compute(types, nodeInfos, podInfos, reservations, now).size();
      long middle = System.nanoTime();
      sink += sumGpuLimits(pods);
      long end = System.nanoTime();
      if (i >= warmup) {
        computation[i - warmup] = (middle - start) / 1e6;
        plain[i - warmup] = (end - middle) / 1e6;
      }
    }
    if (sink == 0) {
      throw new IllegalStateException("the computation produced nothing");
    }
    Stats value = new Stats(computation);
    Stats baseline = new Stats(plain);
    report.add(
        new Figure(
            "4",
            "Availability, 2,000 nodes / 20,000 pods",
            value.median(),
            "ms",
            "plain pass summing GPU limits",
            baseline.median(),
            false,
            "≤ 20 ms",
            value.median() <= 20,
            String.format(
                java.util.Locale.ROOT,
                "median of %d runs after %d warm-up; p99 %.2f ms; includes ClusterView conversion",
                runs,
                warmup,
                value.percentile(99))));
  }

  /** The floor: one pass over the same pods reading each container's GPU limit. */
  private static long sumGpuLimits(List<Pod> pods) {
    long total = 0;
    for (Pod pod : pods) {
      for (var c : pod.getSpec().getContainers()) {
        Quantity q = c.getResources().getLimits().get(Labels.GPU_RESOURCE);
        if (q != null) {
          total += q.getNumericalAmount().intValue();
        }
      }
    }
    return total;
  }
}
