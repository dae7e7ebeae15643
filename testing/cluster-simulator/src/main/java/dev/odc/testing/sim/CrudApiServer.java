package dev.odc.testing.sim;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * The Kubernetes API server a simulated cluster runs on outside JUnit (the sandbox, the bench):
 * fabric8's mock server in CRUD mode, over plain HTTP on the loopback interface. Tests use
 * {@code @EnableKubernetesMockClient(crud = true)} instead.
 */
public final class CrudApiServer {
  private CrudApiServer() {}

  /**
   * Starts one on {@code port} (0: any free port); {@link KubernetesMockServer#createClient()}
   * gives a client for it, {@link KubernetesMockServer#destroy()} stops it.
   */
  public static KubernetesMockServer start(int port) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), port);
    return server;
  }
}
