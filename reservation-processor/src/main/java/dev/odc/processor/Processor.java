package dev.odc.processor;

import com.codahale.metrics.MetricRegistry;
import dev.odc.core.queue.DiskOperationMessage;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.PodEndpointDao;
import dev.odc.database.Reservations;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.pgmq.QueueConsumer;
import dev.odc.processor.leases.LeaseHeldException;
import dev.odc.processor.leases.Leases;
import dev.odc.processor.messages.MessageHandler;
import dev.odc.processor.provisioning.HomeDisk;
import dev.odc.processor.provisioning.KubeObjects;
import dev.odc.processor.provisioning.OwnerConfigMap;
import dev.odc.processor.provisioning.Provisioner;
import dev.odc.processor.provisioning.ReservationServices;
import dev.odc.processor.provisioning.ServerPods;
import dev.odc.processor.provisioning.SupersededClaims;
import dev.odc.processor.queue.Admission;
import dev.odc.processor.queue.QueueRefresher;
import dev.odc.processor.queue.ZoneRules;
import dev.odc.processor.snapshots.SnapshotFollower;
import dev.odc.processor.status.StatusReconciler;
import dev.odc.processor.sweep.Sweep;
import dev.odc.processor.teardown.Teardown;
import dev.odc.providers.StorageBackend;
import io.dropwizard.lifecycle.Managed;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation processor as a service: builds its parts and starts and stops them. The work is
 * theirs: {@link MessageHandler} dispatches queue messages under a {@link Leases lease}, {@link
 * Provisioner} admits ({@link Admission}) and provisions, {@link StatusReconciler} follows pods to
 * ACTIVE or FAILED, {@link Teardown} ends reservations, {@link Sweep} runs periodically.
 *
 * <p>Usable without Dropwizard: construct it with a configured {@link Jdbi} (see {@code
 * dev.odc.database.Database#jdbi}), a {@link KubernetesClient}, a {@link StorageBackend} and {@link
 * ProcessorSettings}, then {@link #start(DataSource)}; {@link #stop()} ends it. Every step is
 * idempotent with names derived from the reservation id (see {@link Names}).
 */
public final class Processor implements Managed {
  private static final Logger log = LoggerFactory.getLogger(Processor.class);

  /** Who the processor's status changes and audit rows name. */
  public static final String ACTOR = "system:processor";

  /** Timer: reservation created → its first pod created. */
  public static final String RESERVE_TO_POD_CREATED = "odc.processor.reserve-to-pod-created";

  /** Timer: reservation created → ACTIVE. */
  public static final String RESERVE_TO_ACTIVE = "odc.processor.reserve-to-active";

  private static final int EVENT_THREADS = 4;

  private final ProcessorSettings settings;
  private final MetricRegistry metrics;
  private final Pgmq pgmq;
  private final ClusterCapacity capacity;
  private final ScheduledExecutorService events;
  private final Leases leases;
  private final QueueRefresher queue;
  private final StatusReconciler status;
  private final MessageHandler messages;
  private final Sweep sweep;
  private final DiskOperations diskOperations;
  private final SnapshotFollower snapshotFollower;
  private final SupersededClaims supersededClaims;
  private QueueConsumer<ReservationMessage> consumer;
  private QueueConsumer<DiskOperationMessage> diskConsumer;
  private volatile boolean running;

  public Processor(
      Jdbi jdbi,
      KubernetesClient client,
      StorageBackend storage,
      ProcessorSettings settings,
      SshKeySource keys,
      MetricRegistry metrics) {
    this(jdbi, client, storage, settings, keys, metrics, StepHook.NONE);
  }

  /**
   * @param hook called before each step; tests throw there to play a processor dying between steps
   */
  public Processor(
      Jdbi jdbi,
      KubernetesClient client,
      StorageBackend storage,
      ProcessorSettings settings,
      SshKeySource keys,
      MetricRegistry metrics,
      StepHook hook) {
    Objects.requireNonNull(jdbi, "jdbi is null");
    Objects.requireNonNull(client, "client is null");
    Objects.requireNonNull(storage, "storage is null");
    Objects.requireNonNull(keys, "keys is null");
    Objects.requireNonNull(hook, "hook is null");
    this.settings = Objects.requireNonNull(settings, "settings is null");
    this.metrics = metrics == null ? new MetricRegistry() : metrics;
    Clock clock = Clock.systemUTC();
    String ns = settings.namespace();
    this.pgmq = new Pgmq(jdbi);
    Reservations reservations = new Reservations(jdbi, pgmq, clock);
    ReservationReads reads = new ReservationReads(jdbi);
    this.capacity = new ClusterCapacity(client, settings.gpuTypeLabel());
    this.diskOperations = new DiskOperations(jdbi, pgmq, storage, ns, settings.sweepInterval());
    AtomicInteger ids = new AtomicInteger();
    this.events =
        Executors.newScheduledThreadPool(
            EVENT_THREADS,
            r -> {
              Thread t = new Thread(r, "processor-events-" + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.leases = new Leases(jdbi, settings.workerId(), settings.leaseTtl());
    Steps steps = new Steps(hook, leases);
    KubeObjects objects = new KubeObjects(client);
    OwnerConfigMap owner = new OwnerConfigMap(client, objects, ns);
    ReservationServices services =
        new ReservationServices(client, objects, capacity, ns, settings.dnsDomain());
    ServerPods pods =
        new ServerPods(client, objects, ns, settings.gpuTypeLabel(), this.metrics, clock);
    this.snapshotFollower =
        new SnapshotFollower(
            jdbi, client, storage, ns, SnapshotFollower.DEFAULT_READY_TIMEOUT, clock, events);
    this.supersededClaims = new SupersededClaims(jdbi, client, storage, ns);
    HomeDisk homeDisk =
        new HomeDisk(
            jdbi,
            storage,
            ns,
            settings.defaultDiskSizeGb(),
            clock,
            name -> events.execute(() -> snapshotFollower.check(name)));
    Admission admission =
        new Admission(jdbi, reservations, reads, capacity, owner, new ZoneRules(jdbi), ns, clock);
    this.queue = new QueueRefresher(admission, reads, pgmq, events, () -> running);
    Teardown teardown =
        new Teardown(reservations, reads, steps, pods, services, owner, homeDisk, queue);
    this.status =
        new StatusReconciler(
            reservations,
            reads,
            capacity,
            services,
            teardown,
            this.metrics,
            events,
            () -> running,
            ns,
            settings.dnsDomain(),
            jdbi.onDemand(PodEndpointDao.class));
    Provisioner provisioner =
        new Provisioner(
            reads, admission, steps, homeDisk, owner, services, pods, storage, keys, teardown,
            status, settings);
    this.messages =
        new MessageHandler(reads, leases, provisioner, teardown, queue, settings.maxDeliveries());
    this.sweep =
        new Sweep(
            reads, pgmq, capacity, status, teardown, queue, ns, settings.pendingTimeout(), clock);
  }

  /** What carries out {@code disk_operations} messages; {@link #start} consumes them with it. */
  public DiskOperations diskOperations() {
    return diskOperations;
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
   * Starts informers, the lease renewal, the periodic sweep and the queue consumers.
   *
   * @param listenDataSource connections for LISTEN/NOTIFY wake-ups; null to poll every 200 ms
   */
  public synchronized void start(DataSource listenDataSource) {
    if (consumer != null) {
      return;
    }
    startWatching();
    long renewMillis = leases.renewInterval().toMillis();
    events.scheduleWithFixedDelay(
        leases::renewAll, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
    long sweepMillis = settings.sweepInterval().toMillis();
    events.scheduleWithFixedDelay(
        sweep::runSafely, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    events.scheduleWithFixedDelay(
        this::sweepDisks, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    QueueConsumer.Builder<ReservationMessage> builder =
        QueueConsumer.builder(
                pgmq, listenDataSource, ReservationMessage.QUEUE, ReservationMessage.class)
            .handler(m -> messages.handle(m.message()))
            .deadLetter(d -> messages.deadLetter(d.message(), d.lastError()));
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

  /** Release snapshots the informer missed or that timed out, and claims superseded by a move. */
  private void sweepDisks() {
    try {
      snapshotFollower.sweep();
      supersededClaims.sweep();
    } catch (RuntimeException e) {
      log.warn("Disk sweep failed; the next one retries", e);
    }
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
        queue::capacityFreed, status::podChanged, settings.namespace(), status::serviceChanged);
    snapshotFollower.start();
  }

  @Override
  public synchronized void stop() throws InterruptedException {
    if (!running) {
      return;
    }
    running = false;
    snapshotFollower.stop();
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

  /**
   * Handles one message; idempotent. Throws to have the message redelivered.
   *
   * @throws LeaseHeldException when another live processor holds the reservation
   */
  public void handle(ReservationMessage message) {
    messages.handle(message);
  }
}
