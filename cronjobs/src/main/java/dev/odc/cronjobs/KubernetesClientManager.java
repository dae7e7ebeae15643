package dev.odc.cronjobs;

import io.dropwizard.lifecycle.Managed;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;

/** Owns the application's one Kubernetes client and closes it on stop. */
final class KubernetesClientManager implements Managed {
  private final KubernetesClient client;

  KubernetesClientManager(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client is null");
  }

  KubernetesClient client() {
    return client;
  }

  @Override
  public void stop() {
    client.close();
  }
}
