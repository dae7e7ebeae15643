package dev.odc.processor.status;

import com.codahale.metrics.MetricRegistry;
import dev.odc.core.InvalidTransitionException;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.database.PodEndpointDao;
import dev.odc.database.ReservationChanges;
import dev.odc.database.Reservations;
import dev.odc.database.StaleUpdateException;
import dev.odc.processor.ClusterCapacity;
import dev.odc.processor.Processor;
import dev.odc.processor.ReservationReads;
import dev.odc.processor.provisioning.ReservationServices;
import dev.odc.processor.provisioning.ServerPods;
import dev.odc.processor.teardown.Teardown;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the pods and services of reservations being prepared or active: moves PREPARING to ACTIVE
 * when every pod is ready and the SSH port is known, and fails the reservation with a message a
 * user understands when a pod fails or disappears.
 */
public final class StatusReconciler {
  private static final Logger log = LoggerFactory.getLogger(StatusReconciler.class);

  /** How soon to look again when the pods are ready but the service has no NodePort yet. */
  private static final long PORT_RETRY_MILLIS = 200;

  private final Reservations reservations;
  private final ReservationReads reads;
  private final ClusterCapacity capacity;
  private final ReservationServices services;
  private final Teardown teardown;
  private final MetricRegistry metrics;
  private final ScheduledExecutorService events;
  private final BooleanSupplier running;
  private final String namespace;
  private final String dnsDomain;
  private final PodEndpointDao endpoints;

  public StatusReconciler(
      Reservations reservations,
      ReservationReads reads,
      ClusterCapacity capacity,
      ReservationServices services,
      Teardown teardown,
      MetricRegistry metrics,
      ScheduledExecutorService events,
      BooleanSupplier running,
      String namespace,
      String dnsDomain,
      PodEndpointDao endpoints) {
    this.reservations = Objects.requireNonNull(reservations, "reservations is null");
    this.reads = Objects.requireNonNull(reads, "reads is null");
    this.capacity = Objects.requireNonNull(capacity, "capacity is null");
    this.services = Objects.requireNonNull(services, "services is null");
    this.teardown = Objects.requireNonNull(teardown, "teardown is null");
    this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    this.events = Objects.requireNonNull(events, "events is null");
    this.running = Objects.requireNonNull(running, "running is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.dnsDomain = dnsDomain;
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints is null");
  }

  /**
   * A managed pod was added, changed or deleted ({@code gone}). Only a pod that is ready, failing
   * or gone can change its reservation's status, so the others cost no database read.
   */
  public void podChanged(Pod pod, boolean gone) {
    String id = pod.getMetadata().getLabels().get(Labels.RESERVATION_ID);
    if (id == null || !running.getAsBoolean()) {
      return;
    }
    if (!gone && !PodStatus.ready(pod) && FailureMessages.failureOf(pod).isEmpty()) {
      return;
    }
    reconcileLater(id);
  }

  /** An SSH service got its NodePort: its reservation may be waiting for it to go ACTIVE. */
  public void serviceChanged(Service service) {
    Map<String, String> labels = service.getMetadata().getLabels();
    String id = labels == null ? null : labels.get(Labels.RESERVATION_ID);
    if (id == null || !running.getAsBoolean() || PodStatus.nodePortOf(service).isEmpty()) {
      return;
    }
    if (capacity.podsOf(namespace, id).stream().anyMatch(PodStatus::ready)) {
      reconcileLater(id);
    }
  }

  /** Moves PREPARING to ACTIVE when every pod is ready, or to FAILED when one fails. */
  public void reconcile(UUID id) {
    Optional<Reservation> found = reads.find(id);
    if (found.isEmpty()) {
      return;
    }
    Reservation r = found.get();
    if (r.status() != ReservationStatus.PREPARING && r.status() != ReservationStatus.ACTIVE) {
      return;
    }
    List<Pod> pods = capacity.podsOf(namespace, id.toString());
    Optional<String> failure =
        pods.stream().map(FailureMessages::failureOf).flatMap(Optional::stream).findFirst();
    if (failure.isPresent()) {
      teardown.fail(id, failure.get());
      return;
    }
    if (r.status() == ReservationStatus.ACTIVE) {
      if (pods.size() < r.nodeCount()) {
        teardown.fail(id, "the server's pod disappeared (its node was removed or lost)");
      } else if (pods.stream().allMatch(PodStatus::ready)) {
        // a pod made again (same name, new IP) is reached at its new address
        recordEndpoints(id, pods);
      }
      return;
    }
    if (pods.size() < r.nodeCount() || !pods.stream().allMatch(PodStatus::ready)) {
      return;
    }
    recordEndpoints(id, pods);
    Pod first =
        pods.stream()
            .filter(p -> "0".equals(p.getMetadata().getLabels().get(Labels.NODE_INDEX)))
            .findFirst()
            .orElse(pods.get(0));
    Optional<Integer> nodePort = services.sshNodePort(id);
    String node = first.getSpec().getNodeName();
    Optional<String> host =
        dnsDomain != null
            ? Optional.of(ReservationServices.hostname(r, dnsDomain))
            : capacity.nodeAddress(node);
    if (nodePort.isEmpty() || host.isEmpty()) {
      // the service controller has not assigned the port yet: look again shortly
      events.schedule(() -> reconcileSafely(id), PORT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    try {
      Reservation active =
          reservations.transition(
              id,
              r.version(),
              ReservationStatus.ACTIVE,
              Processor.ACTOR,
              "pod ready on " + node,
              ReservationChanges.none()
                  .pod(namespace, first.getMetadata().getName(), node)
                  .ssh(host.get(), nodePort.get()));
      metrics
          .timer(Processor.RESERVE_TO_ACTIVE)
          .update(Duration.between(active.createdAt(), active.startedAt()));
      log.info("Reservation {} is ACTIVE: {}", active.shortId(), active.sshCommand());
    } catch (StaleUpdateException | InvalidTransitionException e) {
      // another processor or a cancel got there first
      log.debug("Reservation {} changed while going ACTIVE: {}", id, e.getMessage());
    }
  }

  /** Where the api-service's tunnel reaches each node: the pod's IP, sshd on 22. */
  private void recordEndpoints(UUID id, List<Pod> pods) {
    for (Pod pod : pods) {
      String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
      String index = pod.getMetadata().getLabels().get(Labels.NODE_INDEX);
      if (ip != null && !ip.isBlank() && index != null && index.matches("[0-9]+")) {
        endpoints.record(id, Integer.parseInt(index), ip, ServerPods.SSH_PORT);
      }
    }
  }

  private void reconcileLater(String id) {
    events.execute(
        () -> {
          try {
            reconcile(UUID.fromString(id));
          } catch (RuntimeException e) {
            log.warn("Could not reconcile reservation {}", id, e);
          }
        });
  }

  private void reconcileSafely(UUID id) {
    try {
      reconcile(id);
    } catch (RuntimeException e) {
      log.warn("Could not reconcile reservation {}", id, e);
    }
  }
}
