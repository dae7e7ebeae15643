package dev.odc.processor.sweep;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.processor.ClusterCapacity;
import dev.odc.processor.ReservationReads;
import dev.odc.processor.queue.QueueRefresher;
import dev.odc.processor.status.FailureMessages;
import dev.odc.processor.status.PodStatus;
import dev.odc.processor.status.StatusReconciler;
import dev.odc.processor.teardown.Teardown;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's periodic pass: takes over the work of processors whose lease ran out, fails
 * reservations whose pods did not start within the start timeout, and looks at every queue that has
 * waiting reservations, in case an event was missed.
 */
public final class Sweep {
  private static final Logger log = LoggerFactory.getLogger(Sweep.class);

  private final ReservationReads reads;
  private final Pgmq pgmq;
  private final ClusterCapacity capacity;
  private final StatusReconciler status;
  private final Teardown teardown;
  private final QueueRefresher queue;
  private final String namespace;
  private final Duration startTimeout;
  private final Clock clock;

  public Sweep(
      ReservationReads reads,
      Pgmq pgmq,
      ClusterCapacity capacity,
      StatusReconciler status,
      Teardown teardown,
      QueueRefresher queue,
      String namespace,
      Duration startTimeout,
      Clock clock) {
    this.reads = Objects.requireNonNull(reads, "reads is null");
    this.pgmq = Objects.requireNonNull(pgmq, "pgmq is null");
    this.capacity = Objects.requireNonNull(capacity, "capacity is null");
    this.status = Objects.requireNonNull(status, "status is null");
    this.teardown = Objects.requireNonNull(teardown, "teardown is null");
    this.queue = Objects.requireNonNull(queue, "queue is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout is null");
    this.clock = Objects.requireNonNull(clock, "clock is null");
  }

  /** {@link #run}, logging instead of throwing: a scheduled task that throws is not run again. */
  public void runSafely() {
    try {
      run();
    } catch (RuntimeException e) {
      log.warn("Processor sweep failed", e);
    }
  }

  public void run() {
    for (Reservation r : reads.dao().listWithExpiredLease()) {
      log.info("Taking over reservation {} from a processor whose lease ran out", r.shortId());
      pgmq.send(
          ReservationMessage.QUEUE,
          new ReservationMessage(r.id(), ReservationMessage.Action.PROVISION));
    }
    Instant now = clock.instant();
    List<Reservation> live = reads.dao().listLive();
    for (Reservation r : live) {
      if (r.status() != ReservationStatus.PREPARING) {
        continue;
      }
      if (lastChange(r).plus(startTimeout).isBefore(now)) {
        String why =
            capacity.podsOf(namespace, r.id().toString()).stream()
                .map(PodStatus::unschedulableMessage)
                .flatMap(Optional::stream)
                .findFirst()
                .map(m -> "no node could take it: " + m)
                .orElse("it was not ready in time");
        teardown.fail(
            r.id(),
            "the server did not start within "
                + FailureMessages.humanize(startTimeout)
                + ": "
                + why);
      } else {
        status.reconcile(r.id());
      }
    }
    live.stream()
        .filter(
            r -> r.status() == ReservationStatus.QUEUED || r.status() == ReservationStatus.PENDING)
        .map(Reservation::gpuType)
        .distinct()
        .forEach(queue::refresh);
  }

  private static Instant lastChange(Reservation r) {
    List<StatusChange> history = r.statusHistory();
    return history.isEmpty() ? r.createdAt() : history.get(history.size() - 1).at();
  }
}
