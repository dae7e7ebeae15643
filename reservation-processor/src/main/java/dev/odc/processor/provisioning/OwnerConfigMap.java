package dev.odc.processor.provisioning;

import dev.odc.core.Reservation;
import dev.odc.processor.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The reservation's owner ConfigMap: the root of the owner chain of its pods and services, and
 * where the chosen zone is recorded so a processor resuming the work places it in the same zone.
 */
public final class OwnerConfigMap {
  static final String ZONE_KEY = "zone";

  private final KubernetesClient client;
  private final KubeObjects objects;
  private final String namespace;

  public OwnerConfigMap(KubernetesClient client, KubeObjects objects, String namespace) {
    this.client = Objects.requireNonNull(client, "client is null");
    this.objects = Objects.requireNonNull(objects, "objects is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
  }

  /** The root of the owner chain: deleting it lets the garbage collector take the rest. */
  public static ConfigMap desired(Reservation r, String namespace, String zone) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.owner(r.id()))
        .withNamespace(namespace)
        .withLabels(ObjectLabels.of(r))
        .endMetadata()
        .addToData("reservation-id", r.id().toString())
        .addToData("user", r.username())
        .addToData("gpu-type", r.gpuType())
        .addToData("gpus", Integer.toString(r.gpuCount()))
        .addToData("nodes", Integer.toString(r.nodeCount()))
        .addToData("created-at", r.createdAt().toString())
        .addToData(zone == null ? Map.of() : Map.of(ZONE_KEY, zone))
        .build();
  }

  public static OwnerReference ownerReference(ConfigMap owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion("v1")
        .withKind("ConfigMap")
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withBlockOwnerDeletion(true)
        .withController(true)
        .build();
  }

  /** Creates the owner, or reads the one a previous attempt made (one request either way). */
  public ConfigMap ensure(Reservation r, String zone) {
    return objects.createOrGet(desired(r, namespace, zone), () -> get(r.id()));
  }

  /** The zone an earlier attempt recorded, or empty when none did. */
  public Optional<String> recordedZone(Reservation r) {
    ConfigMap owner = get(r.id());
    return owner == null || owner.getData() == null
        ? Optional.empty()
        : Optional.ofNullable(owner.getData().get(ZONE_KEY));
  }

  public void delete(UUID reservationId) {
    client.configMaps().inNamespace(namespace).withName(Names.owner(reservationId)).delete();
  }

  private ConfigMap get(UUID reservationId) {
    return client.configMaps().inNamespace(namespace).withName(Names.owner(reservationId)).get();
  }
}
