package dev.odc.cronjobs;

import io.dropwizard.lifecycle.Managed;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** Owns the application's one Kubernetes client and closes it on stop. */
final class KubernetesClientManager implements Managed {
  private final KubernetesClient client;

  KubernetesClientManager(String masterUrl) {
    Config config =
        masterUrl == null || masterUrl.isBlank()
            ? Config.autoConfigure(null)
            : new ConfigBuilder(Config.autoConfigure(null)).withMasterUrl(masterUrl).build();
    this.client = new KubernetesClientBuilder().withConfig(config).build();
  }

  KubernetesClient client() {
    return client;
  }

  @Override
  public void stop() {
    client.close();
  }
}
