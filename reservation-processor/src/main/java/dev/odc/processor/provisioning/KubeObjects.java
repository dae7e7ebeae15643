package dev.odc.processor.provisioning;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The one create-if-absent every provisioning class uses: names are derived from the reservation,
 * so a retried step finds what an earlier attempt made, and a conflict means "already there".
 */
public final class KubeObjects {
  private final KubernetesClient client;

  public KubeObjects(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client is null");
  }

  /**
   * Creates the object unless one of that name exists: one create, a conflict meaning it exists (no
   * read before it).
   *
   * @return true when this call created it
   */
  public boolean createIfAbsent(HasMetadata desired) {
    return createOrGet(desired, () -> null) != null;
  }

  /**
   * Creates the object, or on a conflict returns what {@code existing} reads: one request when it
   * is new, two when an earlier attempt made it.
   *
   * @return the object the API server stored (with its uid), or what {@code existing} returned
   */
  public <T extends HasMetadata> T createOrGet(T desired, Supplier<T> existing) {
    try {
      return client.resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return existing.get();
      }
      throw e;
    }
  }
}
