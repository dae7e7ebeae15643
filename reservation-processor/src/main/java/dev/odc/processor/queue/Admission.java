package dev.odc.processor.queue;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.database.QueueEntry;
import dev.odc.database.ReservationChanges;
import dev.odc.database.ReservationRows;
import dev.odc.database.Reservations;
import dev.odc.processor.ClusterCapacity;
import dev.odc.processor.Names;
import dev.odc.processor.Processor;
import dev.odc.processor.ReservationReads;
import dev.odc.processor.placement.FairOrder;
import dev.odc.processor.placement.GpuPool;
import dev.odc.processor.placement.NodeView;
import dev.odc.processor.placement.Placement;
import dev.odc.processor.placement.StartEstimate;
import dev.odc.processor.placement.ZoneRule;
import dev.odc.processor.provisioning.OwnerConfigMap;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a reservation to the cluster or queues it: reads the live reservations and the nodes, asks
 * {@link GpuPool} and {@link FairOrder} where it fits, and records the outcome (PREPARING, or
 * QUEUED with a position and an ETA). Under a per-GPU-type advisory lock, so two processors never
 * hand out the same GPUs.
 */
public final class Admission {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  private final Jdbi jdbi;
  private final Reservations reservations;
  private final ReservationReads reads;
  private final ClusterCapacity capacity;
  private final OwnerConfigMap owner;
  private final ZoneRules zoneRules;
  private final String namespace;
  private final Clock clock;

  public Admission(
      Jdbi jdbi,
      Reservations reservations,
      ReservationReads reads,
      ClusterCapacity capacity,
      OwnerConfigMap owner,
      ZoneRules zoneRules,
      String namespace,
      Clock clock) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.reservations = Objects.requireNonNull(reservations, "reservations is null");
    this.reads = Objects.requireNonNull(reads, "reads is null");
    this.capacity = Objects.requireNonNull(capacity, "capacity is null");
    this.owner = Objects.requireNonNull(owner, "owner is null");
    this.zoneRules = Objects.requireNonNull(zoneRules, "zoneRules is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.clock = Objects.requireNonNull(clock, "clock is null");
  }

  /**
   * Either moves the reservation to PREPARING and returns where it goes, or queues it (empty). A
   * reservation already PREPARING (resumed after a crash or redelivery) gets its recorded zone.
   */
  public Optional<Placement> decide(Reservation r) {
    // Read before the lock: a disk's zone and claim change only while its own reservation is
    // prepared, and its snapshots only at its teardown, so the lock need not cover them.
    Map<UUID, ZoneRule> rules = zoneRules.of(r.gpuType());
    return withTypeLock(
        r.gpuType(),
        h -> {
          // only the ones that wait or are being prepared: the ACTIVE ones are read when an ETA
          // needs them, so the locked section does not grow with the running dev servers
          List<QueueEntry> live = ReservationRows.listStartingByGpuType(h, r.gpuType());
          Optional<QueueEntry> mine = live.stream().filter(l -> l.id().equals(r.id())).findFirst();
          // the caller's copy is current unless the row changed since it was read
          Reservation current =
              mine.isPresent() && mine.get().version() == r.version() ? r : reads.reload(r.id());
          ZoneRule zoneRule = rules.getOrDefault(current.id(), ZoneRule.NONE);
          if (current.status() == ReservationStatus.PREPARING) {
            return Optional.of(resume(current, zoneRule));
          }
          if (current.status() != ReservationStatus.PENDING
              && current.status() != ReservationStatus.QUEUED) {
            return Optional.empty();
          }
          // the nodes are read from the informer cache once per decision: every reservation
          // ahead is placed against the same view
          GpuPool pool = pool(current.gpuType(), live);
          List<QueueEntry> waiting = FairOrder.of(live);
          Optional<Placement> fit = Optional.empty();
          for (QueueEntry w : waiting) {
            if (w.id().equals(current.id())) {
              fit = pool.fit(current.gpuCount(), current.nodeCount(), zoneRule);
              break;
            }
            // sets aside what each one ahead takes when it fits: this one only gets what is left,
            // so it never takes GPUs from someone ahead of it in the queue
            pool.fit(w.gpuCount(), w.nodeCount(), rules.getOrDefault(w.id(), ZoneRule.NONE));
          }
          if (fit.isEmpty()) {
            queue(current, waiting, pool);
            return Optional.empty();
          }
          Reservation preparing =
              reservations.transition(
                  current.id(),
                  current.version(),
                  ReservationStatus.PREPARING,
                  Processor.ACTOR,
                  "capacity found in " + fit.get().zone(),
                  ReservationChanges.none().clearQueuePosition().clearEstimatedStart());
          log.info(
              "Reservation {} of {} × {} {} goes to {}",
              preparing.shortId(),
              preparing.nodeCount(),
              preparing.gpuCount(),
              preparing.gpuType(),
              fit.get().zone());
          return fit;
        });
  }

  /**
   * The queued reservations of a GPU type that fit now, in service order, each placed against what
   * the ones before it take.
   */
  public List<UUID> queuedThatFit(String gpuType) {
    List<QueueEntry> live = jdbi.withHandle(h -> ReservationRows.listStartingByGpuType(h, gpuType));
    List<QueueEntry> waiting = FairOrder.of(live);
    if (waiting.stream().noneMatch(r -> r.status() == ReservationStatus.QUEUED)) {
      return List.of();
    }
    GpuPool pool = pool(gpuType, live);
    Map<UUID, ZoneRule> rules = zoneRules.of(gpuType);
    return waiting.stream()
        .filter(
            w ->
                pool.fit(w.gpuCount(), w.nodeCount(), rules.getOrDefault(w.id(), ZoneRule.NONE))
                        .isPresent()
                    && w.status() == ReservationStatus.QUEUED)
        .map(QueueEntry::id)
        .toList();
  }

  /** The zone an interrupted preparation recorded, else one chosen again (the disk's first). */
  private Placement resume(Reservation current, ZoneRule zoneRule) {
    Optional<String> zone = owner.recordedZone(current);
    List<NodeView> nodes = capacity.nodes(current.gpuType());
    if (zone.isEmpty()) {
      zone =
          Optional.ofNullable(zoneRule.preferred())
              .or(
                  () ->
                      GpuPool.of(nodes)
                          .fit(current.gpuCount(), current.nodeCount(), zoneRule)
                          .map(Placement::zone))
              .or(() -> nodes.stream().map(NodeView::zone).findFirst());
    }
    return new Placement(zone.orElse(null), nodes);
  }

  private GpuPool pool(String gpuType, List<QueueEntry> live) {
    return GpuPool.of(
        capacity.nodes(gpuType),
        live,
        (id, i) ->
            capacity
                .pod(namespace, Names.pod(id, i))
                .map(p -> p.getSpec().getNodeName() != null)
                .orElse(false));
  }

  private void queue(Reservation r, List<QueueEntry> waiting, GpuPool pool) {
    int position = FairOrder.position(r.id(), waiting);
    Instant eta =
        StartEstimate.of(
                r.id(),
                waiting,
                pool.total(),
                () -> reads.dao().listActiveByGpuType(r.gpuType()),
                clock.instant())
            .orElse(null);
    if (r.status() == ReservationStatus.PENDING) {
      reservations.transition(
          r.id(),
          r.version(),
          ReservationStatus.QUEUED,
          Processor.ACTOR,
          "no capacity: " + r.totalGpus() + " " + r.gpuType() + " GPU(s) are not free",
          ReservationChanges.none().queuePosition(position, eta));
      log.info("Reservation {} queued at position {}", r.shortId(), position);
    } else if (!Objects.equals(r.queuePosition(), position)
        || !Objects.equals(r.estimatedStartAt(), eta)) {
      Reservation requeued = r.withQueue(position, eta);
      jdbi.useHandle(h -> ReservationRows.update(h, requeued));
    }
  }

  /**
   * Runs {@code work} holding the GPU type's advisory lock, on the connection that holds it (in
   * autocommit): its reads need no second connection from the pool.
   */
  private <T> T withTypeLock(String gpuType, Function<Handle, T> work) {
    return jdbi.withHandle(
        h -> {
          long key = ("odc-capacity:" + gpuType).hashCode();
          h.createQuery("select pg_advisory_lock(:key)").bind("key", key).mapTo(String.class).one();
          try {
            return work.apply(h);
          } finally {
            h.createQuery("select pg_advisory_unlock(:key)")
                .bind("key", key)
                .mapTo(Boolean.class)
                .one();
          }
        });
  }
}
