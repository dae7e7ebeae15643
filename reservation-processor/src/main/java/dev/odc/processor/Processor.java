package dev.odc.processor;

import com.codahale.metrics.MetricRegistry;
import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.InvalidTransitionException;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.core.queue.DiskOperationMessage;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.AuditLog;
import dev.odc.database.DiskDao;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.database.QueueEntry;
import dev.odc.database.ReservationChanges;
import dev.odc.database.ReservationDao;
import dev.odc.database.ReservationRows;
import dev.odc.database.Reservations;
import dev.odc.database.StaleUpdateException;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.pgmq.QueueConsumer;
import dev.odc.providers.ClaimSpec;
import dev.odc.providers.SnapshotSpec;
import dev.odc.providers.StorageBackend;
import dev.odc.providers.VolumeClaim;
import dev.odc.providers.VolumeSnapshotInfo;
import io.dropwizard.lifecycle.Managed;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code reservations} queue messages into Kubernetes objects and back: capacity check and
 * queueing, the home disk, the pods and services, the move to ACTIVE when the pods are ready, and
 * the teardown on cancel, expiry or failure.
 *
 * <p>Usable without Dropwizard: construct it with a configured {@link Jdbi} (see {@code
 * dev.odc.database.Database#jdbi}), a {@link KubernetesClient}, a {@link StorageBackend} and {@link
 * ProcessorSettings}, then {@link #start(DataSource)}; {@link #stop()} ends it. Every step is
 * idempotent with names derived from the reservation id (see {@link Names}), and a row lease
 * ({@code workerId}, {@code leaseTtl}) keeps two replicas from working one reservation at once.
 */
public final class Processor implements Managed {
  private static final Logger log = LoggerFactory.getLogger(Processor.class);

  public static final String ACTOR = "system:processor";

  /** Timer: reservation created → its first pod created. */
  public static final String RESERVE_TO_POD_CREATED = "odc.processor.reserve-to-pod-created";

  /** Timer: reservation created → ACTIVE. */
  public static final String RESERVE_TO_ACTIVE = "odc.processor.reserve-to-active";

  /** The steps of provisioning and teardown, in order; a {@link StepHook} sees each. */
  public enum Step {
    CAPACITY,
    DISK_LOCK,
    CLAIM,
    OWNER,
    SERVICES,
    PODS,
    TEARDOWN_PODS,
    SNAPSHOT,
    RELEASE_DISK
  }

  /** Called before each step; tests throw here to play a processor dying between steps. */
  @FunctionalInterface
  public interface StepHook {
    void before(Step step, Reservation reservation);
  }

  private final Jdbi jdbi;
  private final KubernetesClient client;
  private final StorageBackend storage;
  private final ProcessorSettings settings;
  private final SshKeySource keys;
  private final MetricRegistry metrics;
  private final Clock clock;
  private final Pgmq pgmq;
  private final Reservations reservations;
  private final AuditLog audit;
  private final ClusterCapacity capacity;
  private final ScheduledExecutorService events;
  private final Set<String> queueRefreshPending = ConcurrentHashMap.newKeySet();
  private final Map<UUID, Boolean> podCreatedRecorded = new ConcurrentHashMap<>();
  private final Set<UUID> heldLeases = ConcurrentHashMap.newKeySet();
  private final Map<UUID, Long> leaseRenewedAt = new ConcurrentHashMap<>();
  private volatile StepHook hook = (step, r) -> {};
  private QueueConsumer<ReservationMessage> consumer;
  private final DiskOperations diskOperations;
  private QueueConsumer<DiskOperationMessage> diskConsumer;
  private volatile boolean running;

  public Processor(
      Jdbi jdbi,
      KubernetesClient client,
      StorageBackend storage,
      ProcessorSettings settings,
      SshKeySource keys,
      MetricRegistry metrics) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.client = Objects.requireNonNull(client, "client is null");
    this.storage = Objects.requireNonNull(storage, "storage is null");
    this.settings = Objects.requireNonNull(settings, "settings is null");
    this.keys = Objects.requireNonNull(keys, "keys is null");
    this.metrics = metrics == null ? new MetricRegistry() : metrics;
    this.clock = Clock.systemUTC();
    this.pgmq = new Pgmq(jdbi);
    this.reservations = new Reservations(jdbi, pgmq, clock);
    this.audit = new AuditLog(jdbi);
    this.capacity = new ClusterCapacity(client, settings.gpuTypeLabel());
    this.diskOperations =
        new DiskOperations(jdbi, pgmq, storage, settings.namespace(), settings.claimInterval());
    AtomicInteger ids = new AtomicInteger();
    this.events =
        Executors.newScheduledThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "processor-events-" + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** What carries out {@code disk_operations} messages; {@link #start} consumes them with it. */
  public DiskOperations diskOperations() {
    return diskOperations;
  }

  /** Replaces the step hook; for tests. */
  public Processor withStepHook(StepHook stepHook) {
    this.hook = Objects.requireNonNull(stepHook, "stepHook is null");
    return this;
  }

  public boolean isRunning() {
    return running;
  }

  public MetricRegistry metrics() {
    return metrics;
  }

  public ProcessorSettings settings() {
    return settings;
  }

  /** Starts informers, the periodic sweep and the queue consumer, polling without LISTEN. */
  @Override
  public void start() {
    start(null);
  }

  /**
   * Starts informers, the periodic sweep and the queue consumer.
   *
   * @param listenDataSource connections for LISTEN/NOTIFY wake-ups; null to poll every 200 ms
   */
  public synchronized void start(DataSource listenDataSource) {
    if (consumer != null) {
      return;
    }
    startWatching();
    long renewMillis = Math.max(100, settings.leaseTtl().toMillis() / 3);
    events.scheduleWithFixedDelay(
        this::renewLeases, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
    long sweepMillis = settings.claimInterval().toMillis();
    events.scheduleWithFixedDelay(
        this::sweepSafely, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    QueueConsumer.Builder<ReservationMessage> builder =
        QueueConsumer.builder(
                pgmq, listenDataSource, ReservationMessage.QUEUE, ReservationMessage.class)
            .handler(m -> handle(m.message()))
            .deadLetter(d -> deadLetter(d.message(), d.lastError()));
    consumer =
        settings
            .deliveryOf(builder)
            // one message per read: a burst spreads over every worker instead of queueing behind
            // one worker's batch
            .batchSize(1)
            .threads(settings.workerThreads())
            .build();
    consumer.start();
    // disk_operations (a deleted disk's claims): one thread, with a LISTEN connection of its own
    diskConsumer = diskOperations.consumer(listenDataSource, settings);
    diskConsumer.start();
    log.info("Processor {} started on namespace {}", settings.workerId(), settings.namespace());
  }

  /**
   * Starts only the informers, without the queue consumer and the sweep: for callers that feed
   * {@link #handle} themselves (tests, benchmarks). {@link #start} calls it.
   */
  public synchronized void startWatching() {
    if (running) {
      return;
    }
    running = true;
    capacity.start(
        this::capacityFreed, this::podChanged, settings.namespace(), this::serviceChanged);
  }

  @Override
  public synchronized void stop() throws InterruptedException {
    if (!running) {
      return;
    }
    running = false;
    if (consumer != null) {
      consumer.stop();
    }
    if (diskConsumer != null) {
      diskConsumer.stop();
    }
    events.shutdownNow();
    events.awaitTermination(5, TimeUnit.SECONDS);
    capacity.close();
    var toPod = metrics.timer(RESERVE_TO_POD_CREATED).getSnapshot();
    var toActive = metrics.timer(RESERVE_TO_ACTIVE).getSnapshot();
    log.info(
        "Processor {} stopped; reserve→pod created p50 {} ms max {} ms ({} pods),"
            + " reserve→ACTIVE p50 {} ms max {} ms",
        settings.workerId(),
        (long) toPod.getMedian() / 1_000_000,
        toPod.getMax() / 1_000_000,
        metrics.timer(RESERVE_TO_POD_CREATED).getCount(),
        (long) toActive.getMedian() / 1_000_000,
        toActive.getMax() / 1_000_000);
  }

  // ------------------------------------------------------------------ messages

  /**
   * Handles one message; idempotent. Throws to have the message redelivered.
   *
   * @throws LeaseHeldException when another live processor holds the reservation
   */
  public void handle(ReservationMessage message) {
    Optional<Reservation> found = find(message.reservationId());
    if (found.isEmpty()) {
      log.warn("Dropping {} for unknown reservation {}", message.action(), message.reservationId());
      return;
    }
    UUID id = message.reservationId();
    long leaseStart = System.nanoTime();
    if (!acquireLease(id, settings.workerId(), settings.leaseTtl())) {
      if (message.action() == ReservationMessage.Action.PROVISION) {
        // the holder is working on it; if it dies, the sweep re-sends PROVISION after the TTL
        log.debug("Reservation {} is leased by another processor; leaving it", id);
        return;
      }
      throw new LeaseHeldException(id);
    }
    heldLeases.add(id);
    leaseRenewedAt.put(id, leaseStart);
    try {
      switch (message.action()) {
        case PROVISION -> provision(id);
        case CANCEL -> teardown(id, ReservationStatus.CANCELLED, "cancelled");
        case EXPIRE -> teardown(id, ReservationStatus.EXPIRED, "expired");
        case EXTEND -> scheduleQueueRefresh(found.get().gpuType());
      }
    } finally {
      heldLeases.remove(id);
      leaseRenewedAt.remove(id);
      jdbi.useHandle(h -> ReservationRows.releaseLease(h, id, settings.workerId()));
    }
  }

  /** Keeps the leases of work in progress alive, so the sweep of another replica leaves it be. */
  private void renewLeases() {
    for (UUID id : heldLeases) {
      try {
        long before = System.nanoTime();
        if (acquireLease(id, settings.workerId(), settings.leaseTtl())) {
          // only while the work is in hand: handle() drops the entry when it lets go
          leaseRenewedAt.computeIfPresent(id, (k, v) -> before - v > 0 ? before : v);
        } else {
          log.warn("Lost the lease of reservation {} to another processor", id);
        }
      } catch (RuntimeException e) {
        log.warn("Could not renew the lease of reservation {}", id, e);
      }
    }
  }

  /**
   * Runs the step hook and renews the lease before a step; a lease taken over by another processor
   * (ours ran out) stops this one, so the two never work the same reservation.
   */
  private void step(Step step, Reservation r) {
    hook.before(step, r);
    if (!heldLeases.contains(r.id())) {
      return;
    }
    // The lease runs leaseTtl from the database's clock at the renewal, which is after the local
    // time taken before it: renewed less than a third of the TTL ago, it cannot have run out, so
    // no other processor can hold it, and the round trip is saved.
    long now = System.nanoTime();
    Long renewed = leaseRenewedAt.get(r.id());
    if (renewed != null && now - renewed < settings.leaseTtl().toNanos() / 3) {
      return;
    }
    if (!acquireLease(r.id(), settings.workerId(), settings.leaseTtl())) {
      throw new LeaseHeldException(r.id());
    }
    leaseRenewedAt.put(r.id(), now);
  }

  private void deadLetter(ReservationMessage message, Exception lastError) {
    if (message == null) {
      return;
    }
    String why =
        lastError == null ? "the processor stopped while working on it" : describe(lastError);
    log.warn(
        "Giving up on {} of reservation {}: {}", message.action(), message.reservationId(), why);
    if (message.action() == ReservationMessage.Action.PROVISION) {
      fail(
          message.reservationId(),
          "the server could not be provisioned after "
              + settings.maxDeliveries()
              + " attempts: "
              + why);
    } else if (message.action() != ReservationMessage.Action.EXTEND) {
      teardown(
          message.reservationId(),
          message.action() == ReservationMessage.Action.EXPIRE
              ? ReservationStatus.EXPIRED
              : ReservationStatus.CANCELLED,
          "teardown after dead letter");
    }
  }

  // ------------------------------------------------------------------ provisioning

  private void provision(UUID id) {
    Reservation r = reload(id);
    if (r.status().isTerminal()) {
      // a cancel may have raced the provisioning: make sure nothing is left
      cleanup(r);
      return;
    }
    if (r.status() == ReservationStatus.ACTIVE) {
      return;
    }
    step(Step.CAPACITY, r);
    Optional<Placement> placement = decide(r);
    if (placement.isEmpty()) {
      return;
    }
    Placement p = placement.get();
    r = reload(id);
    if (r.status() != ReservationStatus.PREPARING) {
      if (r.status().isTerminal()) {
        cleanup(r);
      }
      return;
    }
    try {
      prepare(r, p);
    } catch (DiskUnavailableException e) {
      fail(id, e.getMessage());
      return;
    }
    r = reload(id);
    if (r.status().isTerminal()) {
      cleanup(r);
      return;
    }
    reconcile(id);
  }

  private record Placement(String zone, List<ClusterCapacity.NodeView> nodes) {}

  /**
   * Under a per-GPU-type advisory lock, so two processors never hand out the same GPUs: either
   * moves the reservation to PREPARING and returns where it goes, or queues it.
   */
  private Optional<Placement> decide(Reservation r) {
    // Read before the lock: a disk's zone and claim change only while its own reservation is
    // prepared, and its snapshots only at its teardown, so the lock need not cover them.
    Map<UUID, ZoneRule> rules = zoneRules(r.gpuType());
    return withTypeLock(
        r.gpuType(),
        h -> {
          // only the ones that wait or are being prepared: the ACTIVE ones are read when an ETA
          // needs them, so the locked section does not grow with the running dev servers
          List<QueueEntry> live = ReservationRows.listStartingByGpuType(h, r.gpuType());
          Optional<QueueEntry> mine = live.stream().filter(l -> l.id().equals(r.id())).findFirst();
          // the caller's copy is current unless the row changed since it was read
          Reservation current =
              mine.isPresent() && mine.get().version() == r.version() ? r : reload(r.id());
          ZoneRule zoneRule = rules.getOrDefault(current.id(), NO_RULE);
          if (current.status() == ReservationStatus.PREPARING) {
            // resumed after a crash or redelivery: the zone was recorded on the owner
            Optional<String> zone = recordedZone(current);
            List<ClusterCapacity.NodeView> nodes = capacity.nodes(current.gpuType());
            if (zone.isEmpty()) {
              // died before recording it: choose again; the disk's zone wins when it has one
              zone =
                  Optional.ofNullable(zoneRule.preferred())
                      .or(
                          () ->
                              fits(current, freeGpus(nodes, List.of()), zoneRule, nodes)
                                  .map(Placement::zone))
                      .or(() -> nodes.stream().map(ClusterCapacity.NodeView::zone).findFirst());
            }
            return Optional.of(new Placement(zone.orElse(null), nodes));
          }
          if (current.status() != ReservationStatus.PENDING
              && current.status() != ReservationStatus.QUEUED) {
            return Optional.empty();
          }
          // the nodes are read from the informer cache once per decision: every reservation
          // ahead is placed against the same view
          List<ClusterCapacity.NodeView> nodes = capacity.nodes(current.gpuType());
          Map<String, Integer> free = freeGpus(nodes, live);
          List<QueueEntry> waiting = fairOrder(live);
          Optional<Placement> fit = Optional.empty();
          for (QueueEntry w : waiting) {
            if (w.id().equals(current.id())) {
              fit = fits(current, free, zoneRule, nodes);
              break;
            }
            // sets aside what each one ahead takes when it fits: this one only gets what is left,
            // so it never takes GPUs from someone ahead of it in the queue
            fits(w.gpuCount(), w.nodeCount(), free, rules.getOrDefault(w.id(), NO_RULE), nodes);
          }
          if (fit.isEmpty()) {
            queue(current, waiting, free);
            return Optional.empty();
          }
          Reservation preparing =
              reservations.transition(
                  current.id(),
                  current.version(),
                  ReservationStatus.PREPARING,
                  ACTOR,
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

  /** Free GPUs per node, minus what PREPARING reservations hold but their pods do not show yet. */
  private Map<String, Integer> freeGpus(
      List<ClusterCapacity.NodeView> nodes, List<QueueEntry> live) {
    Map<String, Integer> free = new LinkedHashMap<>();
    Map<String, String> zones = new HashMap<>();
    for (ClusterCapacity.NodeView n : nodes) {
      free.put(n.name(), n.freeGpus());
      zones.put(n.name(), n.zone());
    }
    for (QueueEntry p : live) {
      if (p.status() != ReservationStatus.PREPARING) {
        continue;
      }
      for (int i = 0; i < p.nodeCount(); i++) {
        Optional<Pod> pod = capacity.pod(settings.namespace(), Names.pod(p.id(), i));
        if (pod.isPresent() && pod.get().getSpec().getNodeName() != null) {
          continue; // already counted on its node
        }
        take(free, p.gpuCount(), null);
      }
    }
    free.replaceAll((k, v) -> Math.max(0, v));
    // node zones never change, so the map only grows
    zoneOf.putAll(zones);
    return free;
  }

  private final Map<String, String> zoneOf = new ConcurrentHashMap<>();

  private void take(Map<String, Integer> free, int gpus, String zone) {
    free.entrySet().stream()
        .filter(e -> e.getValue() >= gpus)
        .filter(e -> zone == null || zone.equals(zoneOf.get(e.getKey())))
        .min(Map.Entry.comparingByValue())
        .ifPresent(e -> e.setValue(e.getValue() - gpus));
  }

  /** Where a disk lets a reservation go. */
  private record ZoneRule(String preferred, String required) {}

  private static final ZoneRule NO_RULE = new ZoneRule(null, null);

  /**
   * The zone rules of the reservations of a GPU type that wait or are being prepared, in one query:
   * only those whose disk has a claim in a zone have one. A disk with a snapshot can move (its zone
   * is preferred), one without must stay (its zone is required).
   */
  private Map<UUID, ZoneRule> zoneRules(String gpuType) {
    Map<UUID, ZoneRule> rules = new HashMap<>();
    jdbi.useHandle(
        h ->
            h.createQuery(
                    "select r.id, d.zone, exists (select 1 from disk_snapshots s"
                        + " where s.disk_id = d.id and s.deleted_at is null) as movable"
                        + " from reservations r join disks d on d.user_id = r.user_id"
                        + " and d.name = r.disk_name and d.deleted_at is null"
                        + " where r.gpu_type = :gpuType"
                        + " and r.status in ('PENDING', 'QUEUED', 'PREPARING')"
                        + " and d.pvc_name is not null and d.zone is not null")
                .bind("gpuType", gpuType)
                .map(
                    (rs, ctx) -> {
                      String zone = rs.getString("zone");
                      rules.put(
                          rs.getObject("id", UUID.class),
                          rs.getBoolean("movable")
                              ? new ZoneRule(zone, null)
                              : new ZoneRule(zone, zone));
                      return null;
                    })
                .list());
    return rules;
  }

  /** Nodes of one zone with room for every node of the reservation; the preferred zone first. */
  private Optional<Placement> fits(
      Reservation r,
      Map<String, Integer> free,
      ZoneRule rule,
      List<ClusterCapacity.NodeView> nodes) {
    return fits(r.gpuCount(), r.nodeCount(), free, rule, nodes);
  }

  private Optional<Placement> fits(
      int gpuCount,
      int nodeCount,
      Map<String, Integer> free,
      ZoneRule rule,
      List<ClusterCapacity.NodeView> nodes) {
    Map<String, Set<String>> byZone = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : free.entrySet()) {
      if (e.getValue() >= gpuCount) {
        byZone
            .computeIfAbsent(Objects.toString(zoneOf.get(e.getKey()), ""), z -> new HashSet<>())
            .add(e.getKey());
      }
    }
    List<String> zones = new ArrayList<>(byZone.keySet());
    zones.sort(
        Comparator.comparing((String z) -> !z.equals(rule.preferred())).thenComparing(z -> z));
    for (String zone : zones) {
      if (rule.required() != null && !rule.required().equals(zone)) {
        continue;
      }
      if (byZone.get(zone).size() >= nodeCount) {
        Set<String> room = byZone.get(zone);
        List<ClusterCapacity.NodeView> views =
            nodes.stream().filter(n -> room.contains(n.name())).limit(nodeCount).toList();
        // simulate the placement so later reservations in the same decision see less room
        for (int i = 0; i < nodeCount; i++) {
          take(free, gpuCount, zone.isEmpty() ? null : zone);
        }
        return Optional.of(new Placement(zone.isEmpty() ? null : zone, views));
      }
    }
    return Optional.empty();
  }

  /**
   * Waiting reservations (PENDING, QUEUED) in service order: FIFO per GPU type, but round-robin
   * over users, so one user's burst does not starve the others.
   */
  static List<QueueEntry> fairOrder(List<QueueEntry> live) {
    Map<UUID, Integer> perUser = new HashMap<>();
    record Ranked(QueueEntry r, int rank) {}
    List<Ranked> ranked = new ArrayList<>();
    live.stream()
        .filter(
            r -> r.status() == ReservationStatus.PENDING || r.status() == ReservationStatus.QUEUED)
        .sorted(Comparator.comparing(QueueEntry::createdAt).thenComparing(QueueEntry::id))
        .forEach(r -> ranked.add(new Ranked(r, perUser.merge(r.userId(), 1, Integer::sum))));
    ranked.sort(
        Comparator.comparingInt(Ranked::rank)
            .thenComparing(x -> x.r().createdAt())
            .thenComparing(x -> x.r().id()));
    return ranked.stream().map(Ranked::r).toList();
  }

  private void queue(Reservation r, List<QueueEntry> waiting, Map<String, Integer> free) {
    int position = 1;
    for (QueueEntry w : waiting) {
      if (w.id().equals(r.id())) {
        break;
      }
      position++;
    }
    Instant eta = estimateStart(r, waiting, free);
    if (r.status() == ReservationStatus.PENDING) {
      reservations.transition(
          r.id(),
          r.version(),
          ReservationStatus.QUEUED,
          ACTOR,
          "no capacity: " + r.totalGpus() + " " + r.gpuType() + " GPU(s) are not free",
          ReservationChanges.none().queuePosition(position, eta));
      log.info("Reservation {} queued at position {}", r.shortId(), position);
    } else if (!Objects.equals(r.queuePosition(), position)
        || !Objects.equals(r.estimatedStartAt(), eta)) {
      Reservation requeued = withQueue(r, position, eta);
      jdbi.useHandle(h -> ReservationRows.update(h, requeued));
    }
  }

  /**
   * When enough GPUs free for this reservation and everyone ahead of it: the expiry of the active
   * reservation whose end brings the free count there; null when no active one would.
   */
  private Instant estimateStart(
      Reservation r, List<QueueEntry> waiting, Map<String, Integer> free) {
    int needed = 0;
    for (QueueEntry w : waiting) {
      needed += w.totalGpus();
      if (w.id().equals(r.id())) {
        break;
      }
    }
    int available = free.values().stream().mapToInt(Integer::intValue).sum();
    if (available >= needed) {
      return clock.instant();
    }
    // soonest to expire first
    for (Reservation a : dao().listActiveByGpuType(r.gpuType())) {
      if (a.expiresAt() == null) {
        continue;
      }
      available += a.totalGpus();
      if (available >= needed) {
        return a.expiresAt();
      }
    }
    return null;
  }

  private static Reservation withQueue(Reservation r, Integer position, Instant eta) {
    return new Reservation(
        r.id(),
        r.userId(),
        r.username(),
        r.name(),
        r.gpuType(),
        r.gpuCount(),
        r.nodeCount(),
        r.image(),
        r.hours(),
        r.diskName(),
        r.labels(),
        r.status(),
        r.failureReason(),
        position,
        eta,
        r.namespace(),
        r.podName(),
        r.nodeName(),
        r.sshHost(),
        r.sshPort(),
        r.createdAt(),
        r.startedAt(),
        r.expiresAt(),
        r.endedAt(),
        r.warningsSent(),
        r.statusHistory(),
        r.version());
  }

  /** The idempotent PREPARING steps: disk, owner, services, pods. */
  private void prepare(Reservation r, Placement p) {
    String ns = settings.namespace();
    String zone = p.zone();
    step(Step.DISK_LOCK, r);
    Optional<Disk> disk = lockDisk(r);
    step(Step.CLAIM, r);
    String homeClaim = disk.map(d -> ensureHomeClaim(r, d, zone)).orElse(null);
    String sharedClaim = null;
    if (settings.sharedVolumeClass() != null) {
      sharedClaim = Names.sharedClaim(r.username());
      storage.ensureClaim(
          new ClaimSpec(
              ns,
              sharedClaim,
              settings.defaultDiskSizeGb(),
              settings.sharedVolumeClass(),
              null,
              Map.of(Names.USER_LABEL, PodSpecs.labelValue(r.username())),
              null));
    }
    step(Step.OWNER, r);
    ConfigMap owner = ensureOwner(r, zone);
    OwnerReference ref = PodSpecs.ownerReference(owner);
    step(Step.SERVICES, r);
    createIfAbsent(PodSpecs.sshService(r, ns, settings.dnsDomain(), ref));
    if (r.nodeCount() > 1) {
      createIfAbsent(PodSpecs.headlessService(r, ns, ref));
    }
    step(Step.PODS, r);
    List<String> sshKeys = keys.keysFor(r.username());
    ClusterCapacity.NodeView nodeView = p.nodes().isEmpty() ? null : p.nodes().get(0);
    String image = r.image() == null || r.image().isBlank() ? settings.defaultImage() : r.image();
    try {
      for (int i = 0; i < r.nodeCount(); i++) {
        Pod pod =
            PodSpecs.pod(
                r,
                i,
                ns,
                image,
                settings.gpuTypeLabel(),
                nodeView,
                zone,
                homeClaim,
                sharedClaim,
                sshKeys,
                ref);
        boolean created = createIfAbsent(pod);
        if (created && i == 0 && podCreatedRecorded.putIfAbsent(r.id(), true) == null) {
          metrics
              .timer(RESERVE_TO_POD_CREATED)
              .update(Duration.between(r.createdAt(), clock.instant()));
        }
      }
    } catch (RuntimeException e) {
      // all or nothing: no node of a multi-node reservation stays without the others
      deletePods(r);
      throw e;
    }
  }

  private Optional<Disk> lockDisk(Reservation r) {
    if (r.diskName() == null) {
      return Optional.empty();
    }
    return Optional.of(
        jdbi.inTransaction(
            h -> {
              DiskDao disks = h.attach(DiskDao.class);
              Disk disk = disks.findByUserAndName(r.userId(), r.diskName()).orElse(null);
              boolean created = false;
              if (disk == null) {
                disk =
                    new Disk(
                        UUID.randomUUID(),
                        r.userId(),
                        r.diskName(),
                        settings.defaultDiskSizeGb(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        false,
                        clock.instant(),
                        null);
                disks.insert(disk);
                created = true;
              }
              if (r.id().equals(disk.inUseBy())) {
                return disk;
              }
              if (!disks.acquire(disk.id(), r.id())) {
                throw new DiskUnavailableException(
                    "disk '" + r.diskName() + "' is in use by another reservation");
              }
              Disk locked = disks.findById(disk.id()).orElseThrow();
              // The audit rows go last: the audit chain's lock, which every audited transaction
              // of every service waits for, is held from the first of them to the commit.
              if (created) {
                AuditLog.append(
                    h,
                    ACTOR,
                    "disk.create",
                    "disk",
                    disk.id().toString(),
                    AuditEvent.SUCCESS,
                    Map.of(
                        "name",
                        disk.name(),
                        "sizeGb",
                        disk.sizeGb(),
                        "reservationId",
                        r.id().toString()));
              }
              AuditLog.append(
                  h,
                  ACTOR,
                  "disk.lock",
                  "disk",
                  disk.id().toString(),
                  AuditEvent.SUCCESS,
                  Map.of("reservationId", r.id().toString()));
              return locked;
            }));
  }

  /**
   * The disk's claim for a reservation in {@code zone}: the existing claim when its zone fits, else
   * a claim restored from the newest ready snapshot, else an empty claim for a new disk.
   */
  private String ensureHomeClaim(Reservation r, Disk disk, String zone) {
    String ns = settings.namespace();
    Map<String, String> labels =
        Map.of(
            Names.DISK_LABEL, disk.id().toString(),
            Names.USER_LABEL, PodSpecs.labelValue(r.username()),
            Names.MANAGED_BY_LABEL, Names.MANAGED_BY);
    if (disk.pvcName() != null) {
      Optional<VolumeClaim> existing = storage.findClaim(ns, disk.pvcName());
      String claimZone = existing.flatMap(VolumeClaim::zoneName).orElse(disk.zone());
      if (existing.isPresent() && (zone == null || claimZone == null || zone.equals(claimZone))) {
        return disk.pvcName();
      }
    }
    Optional<DiskSnapshot> snapshot = Optional.empty();
    if (disk.pvcName() != null || disk.lastSnapshotName() != null) {
      // a disk that never had a claim or a snapshot has nothing to restore: no reads for it
      refreshSnapshots(disk);
      snapshot = snapshots().newestReady(disk.id());
    }
    String claimName;
    ClaimSpec spec;
    if (snapshot.isPresent() && (disk.pvcName() != null || disk.lastSnapshotName() != null)) {
      claimName =
          disk.pvcName() == null ? Names.claim(disk.id()) : Names.restoredClaim(disk.id(), r.id());
      int size =
          Math.max(disk.sizeGb(), snapshot.get().sizeGb() == null ? 1 : snapshot.get().sizeGb());
      spec =
          new ClaimSpec(ns, claimName, size, disk.storageClass(), zone, labels, null)
              .restoredFrom(snapshot.get().snapshotName());
      log.info(
          "Reservation {}: restoring disk {} from snapshot {} into zone {}",
          r.shortId(),
          disk.name(),
          snapshot.get().snapshotName(),
          zone);
    } else {
      claimName = disk.pvcName() == null ? Names.claim(disk.id()) : disk.pvcName();
      spec = new ClaimSpec(ns, claimName, disk.sizeGb(), disk.storageClass(), zone, labels, null);
    }
    storage.ensureClaim(spec);
    jdbi.useHandle(h -> h.attach(DiskDao.class).setVolume(disk.id(), claimName, zone));
    return claimName;
  }

  /** Marks the disk's snapshots ready that the cluster reports ready. */
  private void refreshSnapshots(Disk disk) {
    for (DiskSnapshot s : snapshots().listByDisk(disk.id())) {
      if (s.ready()) {
        continue;
      }
      storage
          .findSnapshot(settings.namespace(), s.snapshotName())
          .filter(VolumeSnapshotInfo::readyToUse)
          .ifPresent(
              info ->
                  snapshots()
                      .markReady(s.id(), info.snapshotHandle(), info.restoreSizeGb().orElse(null)));
    }
  }

  /** Creates the owner, or reads the one a previous attempt made (one request either way). */
  private ConfigMap ensureOwner(Reservation r, String zone) {
    ConfigMap owner = PodSpecs.owner(r, settings.namespace());
    if (zone != null) {
      owner.getData().put("zone", zone);
    }
    try {
      return client.configMaps().inNamespace(settings.namespace()).resource(owner).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return client
            .configMaps()
            .inNamespace(settings.namespace())
            .withName(Names.owner(r.id()))
            .get();
      }
      throw e;
    }
  }

  private Optional<String> recordedZone(Reservation r) {
    ConfigMap owner =
        client.configMaps().inNamespace(settings.namespace()).withName(Names.owner(r.id())).get();
    return owner == null || owner.getData() == null
        ? Optional.empty()
        : Optional.ofNullable(owner.getData().get("zone"));
  }

  /**
   * Creates the object unless one of that name exists: one create, a conflict meaning it exists (no
   * read before it). @return true when this call created it
   */
  private boolean createIfAbsent(HasMetadata resource) {
    try {
      client.resource(resource).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ watching pods

  /**
   * A managed pod was added, changed or deleted ({@code gone}). Only a pod that is ready, failing
   * or gone can change its reservation's status, so the others cost no database read.
   */
  private void podChanged(Pod pod, boolean gone) {
    String id = pod.getMetadata().getLabels().get(Names.RESERVATION_LABEL);
    if (id == null || !running) {
      return;
    }
    if (!gone && !ready(pod) && failureOf(pod).isEmpty()) {
      return;
    }
    reconcileLater(id);
  }

  /** An SSH service got its NodePort: its reservation may be waiting for it to go ACTIVE. */
  private void serviceChanged(Service service) {
    Map<String, String> labels = service.getMetadata().getLabels();
    String id = labels == null ? null : labels.get(Names.RESERVATION_LABEL);
    if (id == null || !running || nodePortOf(service).isEmpty()) {
      return;
    }
    if (capacity.podsOf(settings.namespace(), id).stream().anyMatch(Processor::ready)) {
      reconcileLater(id);
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

  /** Moves PREPARING to ACTIVE when every pod is ready, or to FAILED when one fails. */
  void reconcile(UUID id) {
    Optional<Reservation> found = find(id);
    if (found.isEmpty()) {
      return;
    }
    Reservation r = found.get();
    if (r.status() != ReservationStatus.PREPARING && r.status() != ReservationStatus.ACTIVE) {
      return;
    }
    List<Pod> pods = capacity.podsOf(settings.namespace(), id.toString());
    Optional<String> failure =
        pods.stream().map(Processor::failureOf).flatMap(Optional::stream).findFirst();
    if (failure.isPresent()) {
      fail(id, failure.get());
      return;
    }
    if (r.status() == ReservationStatus.ACTIVE) {
      if (pods.size() < r.nodeCount()) {
        fail(id, "the server's pod disappeared (its node was removed or lost)");
      }
      return;
    }
    if (pods.size() < r.nodeCount() || !pods.stream().allMatch(Processor::ready)) {
      return;
    }
    Pod first =
        pods.stream()
            .filter(p -> "0".equals(p.getMetadata().getLabels().get(Names.NODE_INDEX_LABEL)))
            .findFirst()
            .orElse(pods.get(0));
    Optional<Integer> nodePort = sshNodePort(id);
    String node = first.getSpec().getNodeName();
    Optional<String> host =
        settings.dnsDomain() != null
            ? Optional.of(PodSpecs.hostname(r, settings.dnsDomain()))
            : capacity.nodeAddress(node);
    if (nodePort.isEmpty() || host.isEmpty()) {
      // the service controller has not assigned the port yet: look again shortly
      events.schedule(() -> reconcileSafely(id), 200, TimeUnit.MILLISECONDS);
      return;
    }
    try {
      Reservation active =
          reservations.transition(
              id,
              r.version(),
              ReservationStatus.ACTIVE,
              ACTOR,
              "pod ready on " + node,
              ReservationChanges.none()
                  .pod(settings.namespace(), first.getMetadata().getName(), node)
                  .ssh(host.get(), nodePort.get()));
      metrics
          .timer(RESERVE_TO_ACTIVE)
          .update(Duration.between(active.createdAt(), active.startedAt()));
      log.info("Reservation {} is ACTIVE: {}", active.shortId(), active.sshCommand());
    } catch (StaleUpdateException | InvalidTransitionException e) {
      // another processor or a cancel got there first
      log.debug("Reservation {} changed while going ACTIVE: {}", id, e.getMessage());
    }
  }

  private void reconcileSafely(UUID id) {
    try {
      reconcile(id);
    } catch (RuntimeException e) {
      log.warn("Could not reconcile reservation {}", id, e);
    }
  }

  /** The SSH NodePort from the service informer's cache, else from the API server. */
  private Optional<Integer> sshNodePort(UUID id) {
    Optional<Integer> cached =
        capacity.service(settings.namespace(), Names.sshService(id)).flatMap(Processor::nodePortOf);
    if (cached.isPresent()) {
      return cached;
    }
    return nodePortOf(
        client.services().inNamespace(settings.namespace()).withName(Names.sshService(id)).get());
  }

  private static Optional<Integer> nodePortOf(Service service) {
    if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
      return Optional.empty();
    }
    return service.getSpec().getPorts().stream()
        .map(p -> p.getNodePort())
        .filter(Objects::nonNull)
        .findFirst();
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** A pod failure in words a user understands, or empty when the pod is fine or still starting. */
  static Optional<String> failureOf(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    if ("Failed".equals(pod.getStatus().getPhase())) {
      return Optional.of(
          "the server stopped: "
              + Objects.toString(pod.getStatus().getReason(), "")
              + " "
              + Objects.toString(pod.getStatus().getMessage(), ""));
    }
    if (pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (var s : pod.getStatus().getContainerStatuses()) {
      if (s.getState() == null || s.getState().getWaiting() == null) {
        continue;
      }
      String reason = Objects.toString(s.getState().getWaiting().getReason(), "");
      String image = s.getImage();
      switch (reason) {
        case "ErrImagePull", "ImagePullBackOff", "InvalidImageName" -> {
          return Optional.of(
              "the image '"
                  + image
                  + "' could not be pulled: check its name and tag, and that the cluster may"
                  + " read it ("
                  + reason
                  + ")");
        }
        case "CrashLoopBackOff" -> {
          return Optional.of(
              "the server's container keeps crashing right after it starts (CrashLoopBackOff,"
                  + " restarted "
                  + s.getRestartCount()
                  + " times): the image may not run sshd");
        }
        case "CreateContainerConfigError", "CreateContainerError" -> {
          return Optional.of(
              "the server's container could not be created ("
                  + reason
                  + "): "
                  + Objects.toString(s.getState().getWaiting().getMessage(), ""));
        }
        default -> {}
      }
    }
    return Optional.empty();
  }

  private static Optional<String> unschedulableMessage(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
        .map(c -> Objects.toString(c.getMessage(), "no node fits"))
        .findFirst();
  }

  // ------------------------------------------------------------------ failing and teardown

  /** Marks the reservation FAILED with {@code reason} and removes what it had in the cluster. */
  public void fail(UUID id, String reason) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Reservation r = reload(id);
      if (r.status().isTerminal()) {
        cleanup(r);
        return;
      }
      try {
        Reservation failed =
            reservations.transition(
                id,
                r.version(),
                ReservationStatus.FAILED,
                ACTOR,
                reason,
                ReservationChanges.none().failureReason(reason));
        log.info("Reservation {} FAILED: {}", failed.shortId(), reason);
        cleanup(failed);
        return;
      } catch (StaleUpdateException e) {
        log.debug("Reservation {} changed while failing it; retrying", id);
      }
    }
    throw new StaleUpdateException("reservation", id, -1);
  }

  /** CANCEL and EXPIRE: remove everything, snapshot the disk, release it, end the reservation. */
  private void teardown(UUID id, ReservationStatus target, String reason) {
    Reservation r = reload(id);
    cleanup(r);
    r = reload(id);
    if (!r.status().isTerminal()) {
      ReservationStatus to =
          r.status().canTransitionTo(target) ? target : ReservationStatus.CANCELLED;
      try {
        reservations.transition(id, r.version(), to, ACTOR, reason);
      } catch (StaleUpdateException | InvalidTransitionException e) {
        Reservation again = reload(id);
        if (!again.status().isTerminal()) {
          throw e;
        }
      }
    }
  }

  /**
   * Idempotent: pods, services and owner gone, disk snapshot requested and recorded, lock released.
   */
  private void cleanup(Reservation r) {
    step(Step.TEARDOWN_PODS, r);
    deletePods(r);
    String ns = settings.namespace();
    client.services().inNamespace(ns).withName(Names.sshService(r.id())).delete();
    client.services().inNamespace(ns).withName(Names.headlessService(r.id())).delete();
    client.configMaps().inNamespace(ns).withName(Names.owner(r.id())).delete();
    Optional<Disk> held = jdbi.withHandle(h -> h.attach(DiskDao.class).findHeldBy(r.id()));
    if (held.isPresent()) {
      Disk disk = held.get();
      step(Step.SNAPSHOT, r);
      snapshotOnRelease(r, disk);
      step(Step.RELEASE_DISK, r);
      jdbi.useTransaction(
          h -> {
            if (h.attach(DiskDao.class).release(disk.id(), r.id())) {
              AuditLog.append(
                  h,
                  ACTOR,
                  "disk.unlock",
                  "disk",
                  disk.id().toString(),
                  AuditEvent.SUCCESS,
                  Map.of("reservationId", r.id().toString()));
            }
          });
    }
    podCreatedRecorded.remove(r.id());
    scheduleQueueRefresh(r.gpuType());
  }

  private void snapshotOnRelease(Reservation r, Disk disk) {
    if (disk.pvcName() == null) {
      return;
    }
    String ns = settings.namespace();
    if (storage.findClaim(ns, disk.pvcName()).isEmpty()) {
      return;
    }
    String name = Names.snapshot(disk.id(), r.id());
    storage.createSnapshot(
        SnapshotSpec.of(
            ns,
            name,
            disk.pvcName(),
            Map.of(
                Names.DISK_LABEL, disk.id().toString(),
                Names.RESERVATION_LABEL, r.id().toString(),
                Names.MANAGED_BY_LABEL, Names.MANAGED_BY)));
    jdbi.useTransaction(
        h -> {
          DiskSnapshotDao dao = h.attach(DiskSnapshotDao.class);
          if (dao.findByName(name).isPresent()) {
            return;
          }
          Instant now = clock.instant();
          dao.insert(
              new DiskSnapshot(
                  UUID.randomUUID(),
                  disk.id(),
                  name,
                  null,
                  disk.sizeGb(),
                  false,
                  now,
                  now.plus(Duration.ofDays(30)),
                  null));
          h.attach(DiskDao.class).setLastSnapshot(disk.id(), name);
          AuditLog.append(
              h,
              ACTOR,
              "disk.snapshot",
              "disk",
              disk.id().toString(),
              AuditEvent.SUCCESS,
              Map.of(
                  "snapshot", name, "claim", disk.pvcName(), "reservationId", r.id().toString()));
        });
  }

  private void deletePods(Reservation r) {
    client
        .pods()
        .inNamespace(settings.namespace())
        .withLabel(Names.RESERVATION_LABEL, r.id().toString())
        .delete();
  }

  // ------------------------------------------------------------------ queue and sweep

  private void capacityFreed(String gpuType) {
    if (gpuType == null) {
      dao().listLive().stream()
          .filter(r -> r.status() == ReservationStatus.QUEUED)
          .map(Reservation::gpuType)
          .distinct()
          .forEach(this::scheduleQueueRefresh);
    } else {
      scheduleQueueRefresh(gpuType);
    }
  }

  /** Coalesces bursts of capacity events into one look at the queue per GPU type. */
  private void scheduleQueueRefresh(String gpuType) {
    if (!running || !queueRefreshPending.add(gpuType)) {
      return;
    }
    events.schedule(
        () -> {
          queueRefreshPending.remove(gpuType);
          try {
            refreshQueue(gpuType);
          } catch (RuntimeException e) {
            log.warn("Could not refresh the {} queue", gpuType, e);
          }
        },
        50,
        TimeUnit.MILLISECONDS);
  }

  /** Sends PROVISION for queued reservations that fit now, in service order. */
  void refreshQueue(String gpuType) {
    List<QueueEntry> live = jdbi.withHandle(h -> ReservationRows.listStartingByGpuType(h, gpuType));
    List<QueueEntry> waiting = fairOrder(live);
    if (waiting.stream().noneMatch(r -> r.status() == ReservationStatus.QUEUED)) {
      return;
    }
    List<ClusterCapacity.NodeView> nodes = capacity.nodes(gpuType);
    Map<String, Integer> free = freeGpus(nodes, live);
    Map<UUID, ZoneRule> rules = zoneRules(gpuType);
    for (QueueEntry w : waiting) {
      if (fits(w.gpuCount(), w.nodeCount(), free, rules.getOrDefault(w.id(), NO_RULE), nodes)
              .isPresent()
          && w.status() == ReservationStatus.QUEUED) {
        pgmq.send(
            ReservationMessage.QUEUE,
            new ReservationMessage(w.id(), ReservationMessage.Action.PROVISION));
      }
    }
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      log.warn("Processor sweep failed", e);
    }
  }

  /** Takes over work of dead processors, fails pods that never started, refreshes the queue. */
  void sweep() {
    for (Reservation r : dao().listWithExpiredLease()) {
      log.info("Taking over reservation {} from a processor whose lease ran out", r.shortId());
      pgmq.send(
          ReservationMessage.QUEUE,
          new ReservationMessage(r.id(), ReservationMessage.Action.PROVISION));
    }
    Instant now = clock.instant();
    List<Reservation> live = dao().listLive();
    for (Reservation r : live) {
      if (r.status() == ReservationStatus.PREPARING) {
        Instant since = lastChange(r);
        if (since.plus(settings.pendingTimeout()).isBefore(now)) {
          String why =
              capacity.podsOf(settings.namespace(), r.id().toString()).stream()
                  .map(Processor::unschedulableMessage)
                  .flatMap(Optional::stream)
                  .findFirst()
                  .map(m -> "no node could take it: " + m)
                  .orElse("it was not ready in time");
          fail(
              r.id(),
              "the server did not start within "
                  + humanize(settings.pendingTimeout())
                  + ": "
                  + why);
        } else {
          reconcile(r.id());
        }
      }
    }
    live.stream()
        .filter(
            r -> r.status() == ReservationStatus.QUEUED || r.status() == ReservationStatus.PENDING)
        .map(Reservation::gpuType)
        .distinct()
        .forEach(this::refreshQueue);
  }

  private static Instant lastChange(Reservation r) {
    List<StatusChange> history = r.statusHistory();
    return history.isEmpty() ? r.createdAt() : history.get(history.size() - 1).at();
  }

  // ------------------------------------------------------------------ helpers

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

  private boolean acquireLease(UUID id, String holder, Duration ttl) {
    return jdbi.withHandle(h -> ReservationRows.acquireLease(h, id, holder, ttl));
  }

  private Optional<Reservation> find(UUID id) {
    return jdbi.withHandle(h -> ReservationRows.findById(h, id));
  }

  private Reservation reload(UUID id) {
    return find(id).orElseThrow(() -> new dev.odc.database.ReservationNotFoundException(id));
  }

  private ReservationDao dao() {
    return jdbi.onDemand(ReservationDao.class);
  }

  private DiskSnapshotDao snapshots() {
    return jdbi.onDemand(DiskSnapshotDao.class);
  }

  static String humanize(Duration d) {
    if (d.toMinutes() >= 1 && d.toSecondsPart() == 0) {
      return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
    return d.toSeconds() + (d.toSeconds() == 1 ? " second" : " seconds");
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** Another live processor holds the reservation's lease; the message comes back later. */
  public static final class LeaseHeldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LeaseHeldException(UUID id) {
      super("reservation " + id + " is being worked on by another processor");
    }
  }

  /** The reservation's disk is held by another reservation. */
  static final class DiskUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DiskUnavailableException(String message) {
      super(message);
    }
  }
}
