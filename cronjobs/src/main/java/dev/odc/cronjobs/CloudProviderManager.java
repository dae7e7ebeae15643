package dev.odc.cronjobs;

import static java.util.Objects.requireNonNull;

import dev.odc.providers.CloudProvider;
import io.dropwizard.lifecycle.Managed;

/** Closes the cloud provider's SDK clients when the application stops. */
final class CloudProviderManager implements Managed {
  private final CloudProvider provider;

  CloudProviderManager(CloudProvider provider) {
    this.provider = requireNonNull(provider, "provider is null");
  }

  @Override
  public void stop() throws Exception {
    provider.close();
  }
}
