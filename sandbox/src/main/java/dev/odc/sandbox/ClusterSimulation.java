package dev.odc.sandbox;

import dev.odc.testing.sim.ClusterSimulator;
import dev.odc.testing.sim.NodePool;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

/**
 * The simulated cluster's contents: the reservations namespace, GPU nodes (labelled {@value
 * ClusterSimulator#SIMULATED}), and {@link ClusterSimulator} playing scheduler, kubelet, CSI
 * provisioner and snapshot controller.
 */
final class ClusterSimulation implements AutoCloseable {
  /** Long enough to see PREPARING in {@code gpu-dev list}, short enough not to wait for. */
  static final Duration POD_START_DELAY = Duration.ofSeconds(2);

  static final Duration SNAPSHOT_DELAY = Duration.ofSeconds(1);

  private final ClusterSimulator simulator;

  private ClusterSimulation(ClusterSimulator simulator) {
    this.simulator = simulator;
  }

  static ClusterSimulation start(KubernetesClient client, List<NodePool> pools, String namespace) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(existing -> existing.update());
    ClusterSimulator.Builder builder =
        ClusterSimulator.builder(client)
            .namespace(namespace)
            .startDelay(POD_START_DELAY)
            .snapshotDelay(SNAPSHOT_DELAY)
            .writerThreads(2);
    pools.forEach(builder::nodes);
    return new ClusterSimulation(builder.start());
  }

  @Override
  public void close() {
    simulator.close();
  }
}
