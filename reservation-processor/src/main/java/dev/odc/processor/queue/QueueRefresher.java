package dev.odc.processor.queue;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.processor.ReservationReads;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at a GPU type's queue when capacity may have freed, and sends PROVISION for the queued
 * reservations that fit now.
 */
public final class QueueRefresher {
  private static final Logger log = LoggerFactory.getLogger(QueueRefresher.class);

  /** Capacity events closer together than this are one look at the queue. */
  private static final long COALESCE_MILLIS = 50;

  private final Admission admission;
  private final ReservationReads reads;
  private final Pgmq pgmq;
  private final ScheduledExecutorService events;
  private final BooleanSupplier running;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  public QueueRefresher(
      Admission admission,
      ReservationReads reads,
      Pgmq pgmq,
      ScheduledExecutorService events,
      BooleanSupplier running) {
    this.admission = Objects.requireNonNull(admission, "admission is null");
    this.reads = Objects.requireNonNull(reads, "reads is null");
    this.pgmq = Objects.requireNonNull(pgmq, "pgmq is null");
    this.events = Objects.requireNonNull(events, "events is null");
    this.running = Objects.requireNonNull(running, "running is null");
  }

  /** GPUs of {@code gpuType} may have freed; null when the type is not known. */
  public void capacityFreed(String gpuType) {
    if (gpuType == null) {
      reads.dao().listLive().stream()
          .filter(r -> r.status() == ReservationStatus.QUEUED)
          .map(Reservation::gpuType)
          .distinct()
          .forEach(this::schedule);
    } else {
      schedule(gpuType);
    }
  }

  /** Coalesces bursts of capacity events into one look at the queue per GPU type. */
  public void schedule(String gpuType) {
    if (!running.getAsBoolean() || !pending.add(gpuType)) {
      return;
    }
    events.schedule(
        () -> {
          pending.remove(gpuType);
          try {
            refresh(gpuType);
          } catch (RuntimeException e) {
            log.warn("Could not refresh the {} queue", gpuType, e);
          }
        },
        COALESCE_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** Sends PROVISION for queued reservations that fit now, in service order. */
  public void refresh(String gpuType) {
    for (var id : admission.queuedThatFit(gpuType)) {
      pgmq.send(
          ReservationMessage.QUEUE,
          new ReservationMessage(id, ReservationMessage.Action.PROVISION));
    }
  }
}
