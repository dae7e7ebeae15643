package dev.odc.processor.provisioning;

import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.processor.ClusterCapacity;
import dev.odc.processor.Names;
import dev.odc.processor.status.PodStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The reservation's services: the NodePort service users SSH to and, for multi-node reservations,
 * the headless service its pods rendezvous through.
 */
public final class ReservationServices {
  public static final String EXTERNAL_DNS_ANNOTATION = "external-dns.alpha.kubernetes.io/hostname";

  private final KubernetesClient client;
  private final KubeObjects objects;
  private final ClusterCapacity cache;
  private final String namespace;
  private final String dnsDomain;

  /**
   * @param dnsDomain the domain reservations get a DNS name under, or null for none
   */
  public ReservationServices(
      KubernetesClient client,
      KubeObjects objects,
      ClusterCapacity cache,
      String namespace,
      String dnsDomain) {
    this.client = Objects.requireNonNull(client, "client is null");
    this.objects = Objects.requireNonNull(objects, "objects is null");
    this.cache = Objects.requireNonNull(cache, "cache is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.dnsDomain = dnsDomain;
  }

  /** The NodePort Service users SSH to; it selects the first node's pod. */
  public static Service desiredSsh(
      Reservation r, String namespace, String dnsDomain, OwnerReference owner) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(Labels.RESERVATION_ID, r.id().toString());
    selector.put(Labels.NODE_INDEX, "0");
    ServiceBuilder b =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(Names.sshService(r.id()))
            .withNamespace(namespace)
            .withLabels(ObjectLabels.of(r))
            .withOwnerReferences(owner)
            .endMetadata()
            .withNewSpec()
            .withType("NodePort")
            .withSelector(selector)
            .addNewPort()
            .withName("ssh")
            .withProtocol("TCP")
            .withPort(ServerPods.SSH_PORT)
            .withNewTargetPort(ServerPods.SSH_PORT)
            .endPort()
            .endSpec();
    if (dnsDomain != null) {
      b.editMetadata()
          .addToAnnotations(EXTERNAL_DNS_ANNOTATION, hostname(r, dnsDomain))
          .endMetadata();
    }
    return b.build();
  }

  /** The DNS name of a reservation when a domain is configured. */
  public static String hostname(Reservation r, String dnsDomain) {
    return r.name() + "-" + r.shortId() + "." + dnsDomain;
  }

  /** The headless Service multi-node pods rendezvous through. */
  public static Service desiredHeadless(Reservation r, String namespace, OwnerReference owner) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(Names.headlessService(r.id()))
        .withNamespace(namespace)
        .withLabels(ObjectLabels.of(r))
        .withOwnerReferences(owner)
        .endMetadata()
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(Map.of(Labels.RESERVATION_ID, r.id().toString()))
        .addNewPort()
        .withName("rendezvous")
        .withPort(29500)
        .endPort()
        .endSpec()
        .build();
  }

  /** Creates the services the reservation needs unless they exist. */
  public void ensure(Reservation r, OwnerReference owner) {
    objects.createIfAbsent(desiredSsh(r, namespace, dnsDomain, owner));
    if (r.nodeCount() > 1) {
      objects.createIfAbsent(desiredHeadless(r, namespace, owner));
    }
  }

  public void delete(UUID reservationId) {
    client.services().inNamespace(namespace).withName(Names.sshService(reservationId)).delete();
    client
        .services()
        .inNamespace(namespace)
        .withName(Names.headlessService(reservationId))
        .delete();
  }

  /** The SSH NodePort from the service informer's cache, else from the API server. */
  public Optional<Integer> sshNodePort(UUID reservationId) {
    Optional<Integer> cached =
        cache.service(namespace, Names.sshService(reservationId)).flatMap(PodStatus::nodePortOf);
    if (cached.isPresent()) {
      return cached;
    }
    return PodStatus.nodePortOf(
        client.services().inNamespace(namespace).withName(Names.sshService(reservationId)).get());
  }
}
