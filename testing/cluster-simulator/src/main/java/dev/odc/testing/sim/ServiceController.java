package dev.odc.testing.sim;

import static dev.odc.testing.sim.SimContext.annotations;

import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The service controller's part the processor relies on: NodePort allocation. */
final class ServiceController {
  private final SimContext context;
  private final AtomicLong nodePorts = new AtomicLong();

  ServiceController(SimContext context) {
    this.context = context;
  }

  /** Plays the API server's NodePort allocator: every NodePort/LoadBalancer port gets one. */
  void onService(Service service) {
    var spec = service.getSpec();
    if (spec == null
        || spec.getPorts() == null
        || !("NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType()))
        || spec.getPorts().stream().allMatch(p -> p.getNodePort() != null)) {
      return;
    }
    String ns = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    List<Integer> ports = new ArrayList<>();
    for (var port : spec.getPorts()) {
      ports.add(port.getNodePort() != null ? port.getNodePort() : nextNodePort());
    }
    context.write(
        "assign node ports to service " + ns + "/" + name,
        () ->
            context
                .client
                .services()
                .inNamespace(ns)
                .withName(name)
                .edit(
                    svc -> {
                      for (int i = 0;
                          i < svc.getSpec().getPorts().size() && i < ports.size();
                          i++) {
                        if (svc.getSpec().getPorts().get(i).getNodePort() == null) {
                          svc.getSpec().getPorts().get(i).setNodePort(ports.get(i));
                        }
                      }
                      annotations(svc).put(ClusterSimulator.SIMULATED, "true");
                      return svc;
                    }));
  }

  private int nextNodePort() {
    // the default service-node-port-range is 30000-32767
    return 30000 + (int) (nodePorts.getAndIncrement() % 2768);
  }
}
