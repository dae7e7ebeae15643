package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import dev.odc.testing.sim.CrudApiServer;
import dev.odc.testing.sim.NodePool;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated Kubernetes cluster: fabric8's mock API server in CRUD mode on loopback, with GPU
 * nodes and a scheduler/kubelet simulation. Nothing runs: pods only get the status a real cluster
 * would give them.
 */
final class SimulatedCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedCluster.class);

  static final String CONTEXT = "odc-sandbox-simulated";

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final ClusterSimulation simulation;
  private final String masterUrl;
  private final Path kubeconfig;

  private SimulatedCluster(
      KubernetesMockServer server,
      KubernetesClient client,
      ClusterSimulation simulation,
      String masterUrl,
      Path kubeconfig) {
    this.server = server;
    this.client = client;
    this.simulation = simulation;
    this.masterUrl = masterUrl;
    this.kubeconfig = kubeconfig;
  }

  /**
   * Starts the API server on {@code port} (0: any free port), adds the nodes of {@code pools} and
   * starts the simulation; writes a kubeconfig for it to {@code kubeconfig}.
   */
  static SimulatedCluster start(int port, List<NodePool> pools, String namespace, Path kubeconfig)
      throws IOException {
    requireNonNull(pools, "pools is null");
    KubernetesMockServer server = CrudApiServer.start(port);
    KubernetesClient client = server.createClient();
    String masterUrl = "http://127.0.0.1:" + server.getPort();
    ClusterSimulation simulation;
    try {
      simulation = ClusterSimulation.start(client, pools, namespace);
    } catch (RuntimeException e) {
      client.close();
      server.destroy();
      throw new IOException("cannot set up the simulated cluster: " + e.getMessage(), e);
    }
    Files.createDirectories(kubeconfig.getParent());
    Files.writeString(kubeconfig, kubeconfig(masterUrl, namespace), StandardCharsets.UTF_8);
    log.info("Simulated Kubernetes API at {} with {}", masterUrl, NodePools.describe(pools));
    return new SimulatedCluster(server, client, simulation, masterUrl, kubeconfig);
  }

  static String kubeconfig(String masterUrl, String namespace) {
    return """
        # The ODC sandbox's simulated cluster (fabric8 mock API server): no real nodes or GPUs.
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
        users:
        - name: %1$s
          user:
            token: simulated
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: %3$s
        current-context: %1$s
        """
        .formatted(CONTEXT, masterUrl, namespace);
  }

  String masterUrl() {
    return masterUrl;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    simulation.close();
    client.close();
    server.destroy();
  }
}
