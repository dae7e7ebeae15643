package dev.odc.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import dev.odc.core.Labels;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.database.NewReservation;
import dev.odc.database.Reservations;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import dev.odc.testing.sim.ClusterSimulator;
import dev.odc.testing.sim.NodePool;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bursts and a steady stream of reservations through one processor against the real servers
 * (embedded PostgreSQL, fabric8 mock API server, simulator with no kubelet delay). The assertions
 * check outcomes only: every reservation ACTIVE with exactly one pod, nobody QUEUED while GPUs are
 * free, each first pod timed once. The rates and latencies are logged for a look, never asserted:
 * bench/ owns the figures and the targets ({@code bin/bench --only 2,3}).
 */
@EnableKubernetesMockClient(crud = true)
class ThroughputIT {
  private static final Logger log = LoggerFactory.getLogger(ThroughputIT.class);

  // The mock server logs every request at INFO through java.util.logging: at hundreds of requests
  // a second that is most of the work. Held in a field, since JUL keeps loggers weakly.
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  @BeforeAll
  static void quietMockServer() {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  KubernetesClient client;
  private Jdbi jdbi;
  private Reservations reservations;
  private ClusterSimulator sim;
  private Processor processor;

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    jdbi = db.jdbi();
    reservations = new Reservations(jdbi, new Pgmq(jdbi));
    sim =
        ClusterSimulator.builder(client)
            .nodes(NodePool.of("h100", 200, 8))
            .startDelay(Duration.ZERO)
            .start();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (processor != null) {
      processor.stop();
    }
    sim.close();
  }

  private Processor startProcessor(MetricRegistry metrics) {
    processor =
        new Processor(
            jdbi,
            client,
            new KubernetesStorageBackend(client, new StorageFactory()),
            ProcessorSettings.defaults("throughput")
                .withDelivery(Duration.ofSeconds(30), Duration.ofSeconds(1)),
            SshKeySource.of(Map.of("alice", List.of("ssh-ed25519 AAAAC3Nza alice@laptop"))),
            metrics);
    processor.start(db.dataSource());
    return processor;
  }

  private void reserve(User user, int i) {
    reservations.create(
        new NewReservation(
            user.id(), user.username(), "r" + i, "h100", 1, 1, null, 2.0, "d" + i, Map.of()),
        user.username());
  }

  private long count(ReservationStatus status) {
    return jdbi.withHandle(
        h ->
            h.createQuery("select count(*) from reservations where status = :s")
                .bind("s", status.name())
                .mapTo(Long.class)
                .one());
  }

  @Test
  void queuedReservationsReachActive() {
    int n = Integer.getInteger("odc.throughput.n", 100);
    User alice = TestData.user(jdbi, "alice");
    for (int i = 0; i < n; i++) {
      reserve(alice, i);
    }
    long start = System.nanoTime();
    startProcessor(new MetricRegistry());
    await()
        .atMost(Duration.ofSeconds(300))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> count(ReservationStatus.ACTIVE) + count(ReservationStatus.FAILED) >= n);
    double seconds = (System.nanoTime() - start) / 1e9;
    log.info(
        "Throughput: {} reservations queue → ACTIVE in {} s = {} reservations/s",
        n,
        String.format("%.2f", seconds),
        String.format("%.1f", n / seconds));
    assertThat(count(ReservationStatus.ACTIVE)).isEqualTo(n);
    // 200 nodes of 8 GPUs hold every reservation: none had to wait in the queue
    assertThat(queuedEver()).isZero();
    assertThat(
            client
                .pods()
                .inNamespace("odc-reservations")
                .withLabel(Labels.MANAGED_BY, Labels.ODC)
                .list()
                .getItems())
        .hasSize(n);
  }

  private long queuedEver() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "select count(*) from audit_log where action = 'reservation.status'"
                        + " and details->>'to' = 'QUEUED'")
                .mapTo(Long.class)
                .one());
  }

  @Test
  void reserveToPodCreatedAtSteadyRate() {
    int n = Integer.getInteger("odc.latency.n", 100);
    int perSecond = 20;
    User alice = TestData.user(jdbi, "alice");
    MetricRegistry metrics = new MetricRegistry();
    startProcessor(metrics);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * 1_000_000_000L / perSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      reserve(alice, i);
    }
    await()
        .atMost(Duration.ofSeconds(300))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> count(ReservationStatus.ACTIVE) + count(ReservationStatus.FAILED) >= n);
    assertThat(count(ReservationStatus.ACTIVE)).isEqualTo(n);
    Snapshot pod = metrics.timer(Processor.RESERVE_TO_POD_CREATED).getSnapshot();
    Snapshot active = metrics.timer(Processor.RESERVE_TO_ACTIVE).getSnapshot();
    log.info(
        "Latency at {}/s over {}: reserve→pod created p50 {} ms p99 {} ms max {} ms;"
            + " reserve→ACTIVE p50 {} ms p99 {} ms",
        perSecond,
        n,
        ms(pod.getMedian()),
        ms(pod.get99thPercentile()),
        ms(pod.getMax()),
        ms(active.getMedian()),
        ms(active.get99thPercentile()));
    assertThat(metrics.timer(Processor.RESERVE_TO_POD_CREATED).getCount()).isEqualTo(n);
  }

  private static long ms(double nanos) {
    return Math.round(nanos / 1e6);
  }
}
