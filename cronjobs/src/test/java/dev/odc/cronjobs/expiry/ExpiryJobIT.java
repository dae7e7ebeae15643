package dev.odc.cronjobs.expiry;

import static dev.odc.cronjobs.testing.CronTesting.reservation;
import static dev.odc.cronjobs.testing.CronTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.cronjobs.db.CronQueries;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.scheduler.PartialFailureException;
import dev.odc.cronjobs.testing.CronTesting;
import dev.odc.database.ReservationDao;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnableKubernetesMockClient(crud = true)
class ExpiryJobIT {
  @RegisterExtension static final PostgresExtension db = new PostgresExtension();
  private static final String NS = "odc-reservations";
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  static KubernetesClient client;

  private final ObjectMapper json = new ObjectMapper();
  private final List<JsonNode> webhookPosts = new CopyOnWriteArrayList<>();
  private Jdbi jdbi;
  private MutableClock clock;
  private HttpServer webhookServer;
  private UUID userId;

  @BeforeEach
  void setUp() throws Exception {
    db.clean();
    jdbi = db.jdbi();
    CronTesting.resetCronjobsSchema(db.dataSource(), jdbi);
    client.v1().events().inNamespace(NS).delete();
    client.pods().inNamespace(NS).delete();
    userId = CronTesting.insertUser(jdbi, "alice");
    clock = new MutableClock(T0);
    webhookServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhookServer.createContext(
        "/hook",
        exchange -> {
          webhookPosts.add(json.readTree(exchange.getRequestBody()));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    webhookServer.start();
  }

  @AfterEach
  void tearDown() {
    webhookServer.stop(0);
  }

  private ExpiryJob job(PodNotifier notifier) {
    URI hook = URI.create("http://127.0.0.1:" + webhookServer.getAddress().getPort() + "/hook");
    return new ExpiryJob(
        jdbi,
        client,
        notifier,
        Optional.of(new WebhookNotifier(hook, Duration.ofSeconds(5))),
        ExpirySettings.defaults(),
        clock);
  }

  private ExpiryJob job() {
    return job(new PodNotifier(client, Duration.ofSeconds(2)));
  }

  private Reservation insertActive(String name, Instant expiresAt) {
    String pod = name + "-0";
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(NS)
                .endMetadata()
                .build())
        .create();
    Reservation r =
        reservation(userId, name, ReservationStatus.ACTIVE, T0.minusSeconds(3600), pod, expiresAt);
    jdbi.useExtension(ReservationDao.class, dao -> dao.insert(r));
    return r;
  }

  private List<Event> warningEvents(String pod) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> PodNotifier.EVENT_REASON.equals(e.getReason()))
        .filter(e -> pod.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  private Reservation reload(UUID id) {
    return jdbi.withExtension(ReservationDao.class, dao -> dao.findById(id)).orElseThrow();
  }

  private long auditRows(String action, UUID id) {
    return jdbi.onDemand(CronQueries.class)
        .countAudit("system:cronjobs:expiry", action, id.toString());
  }

  /** The {@code to} of each {@code reservation.status} audit row of the job for {@code id}. */
  private List<String> statusAuditTargets(UUID id) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "select details->>'to' from audit_log where actor = 'system:cronjobs:expiry'"
                        + " and action = 'reservation.status' and resource_type = 'reservation'"
                        + " and resource_id = :id order by id")
                .bind("id", id.toString())
                .mapTo(String.class)
                .list());
  }

  /** The queued messages as {@code reservationId:ACTION}. */
  private List<String> messages() {
    return queuedMessages().stream()
        .map(m -> m.get("reservationId").asText() + ":" + m.get("action").asText())
        .toList();
  }

  private List<Long> messageIds() {
    return jdbi.withHandle(
        h ->
            h.createQuery("select msg_id from pgmq.q_reservations order by msg_id")
                .mapTo(Long.class)
                .list());
  }

  private List<JsonNode> queuedMessages() {
    return jdbi.withHandle(
        h ->
            h
                .createQuery("select message::text from pgmq.q_reservations order by msg_id")
                .mapTo(String.class)
                .list()
                .stream()
                .map(
                    s -> {
                      try {
                        return json.readTree(s);
                      } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    })
                .toList());
  }

  @Test
  void warningsAreSentOnceEachAndReArmedByAnExtend() {
    Reservation r = insertActive("train", T0.plus(Duration.ofMinutes(40)));
    ExpiryJob job = job();

    assertThat(job.run(run(clock.instant())).count("warnings_sent")).isZero();

    clock.set(T0.plus(Duration.ofMinutes(11))); // 29 minutes left
    assertThat(job.run(run(clock.instant())).count("warnings_sent")).isEqualTo(1);
    assertThat(job.run(run(clock.instant())).count("warnings_sent")).isZero();
    clock.advance(Duration.ofMinutes(1));
    assertThat(job.run(run(clock.instant())).count("warnings_sent")).isZero();
    assertThat(reload(r.id()).warningsSent()).containsExactly(30);

    clock.set(T0.plus(Duration.ofMinutes(26))); // 14 minutes left
    job.run(run(clock.instant()));
    job.run(run(clock.instant()));
    assertThat(reload(r.id()).warningsSent()).containsExactlyInAnyOrder(30, 15);
    assertThat(warningEvents("train-0")).hasSize(2);

    // Extend by an hour the way the API does it: a new expires_at through the DAO; warnings_sent
    // is left as it was, and the job re-arms the thresholds that are in the future again.
    Reservation current = reload(r.id());
    jdbi.useExtension(
        ReservationDao.class,
        dao ->
            dao.update(
                new Reservation(
                    current.id(),
                    current.userId(),
                    current.username(),
                    current.name(),
                    current.gpuType(),
                    current.gpuCount(),
                    current.nodeCount(),
                    current.image(),
                    current.hours() + 1,
                    current.diskName(),
                    current.labels(),
                    current.status(),
                    current.failureReason(),
                    current.queuePosition(),
                    current.estimatedStartAt(),
                    current.namespace(),
                    current.podName(),
                    current.nodeName(),
                    current.sshHost(),
                    current.sshPort(),
                    current.createdAt(),
                    current.startedAt(),
                    current.expiresAt().plus(Duration.ofHours(1)),
                    current.endedAt(),
                    current.warningsSent(),
                    current.statusHistory(),
                    current.version())));
    JobReport afterExtend = job.run(run(clock.instant()));
    assertThat(afterExtend.count("warnings_rearmed")).isEqualTo(1);
    assertThat(afterExtend.count("warnings_sent")).isZero();
    assertThat(reload(r.id()).warningsSent()).isEmpty();

    clock.set(T0.plus(Duration.ofMinutes(71))); // 29 minutes before the new deadline
    assertThat(job.run(run(clock.instant())).count("warnings_sent")).isEqualTo(1);
    clock.set(T0.plus(Duration.ofMinutes(86))); // 14 minutes
    job.run(run(clock.instant()));
    clock.set(T0.plus(Duration.ofMinutes(96))); // 4 minutes
    job.run(run(clock.instant()));
    job.run(run(clock.instant()));

    assertThat(reload(r.id()).warningsSent()).containsExactlyInAnyOrder(30, 15, 5);
    assertThat(warningEvents("train-0")).hasSize(5);
    assertThat(auditRows("reservation.warn", r.id())).isEqualTo(5);
    assertThat(webhookPosts).hasSize(5);
    assertThat(webhookPosts.getLast().get("text").asText()).contains("train", "4 minutes");
    assertThat(webhookPosts.getLast().get("minutesBefore").asInt()).isEqualTo(5);
    assertThat(queuedMessages()).as("nothing expired yet").isEmpty();
  }

  @Test
  void afterDowntimeOnlyTheMostUrgentWarningIsSent() {
    Reservation r = insertActive("late", T0.plus(Duration.ofMinutes(3)));

    job().run(run(clock.instant()));

    assertThat(warningEvents("late-0")).hasSize(1);
    assertThat(warningEvents("late-0").getFirst().getMessage()).contains("3 minutes");
    assertThat(reload(r.id()).warningsSent()).containsExactlyInAnyOrder(30, 15, 5);
  }

  @Test
  void expireIsEnqueuedOnlyAfterTheGracePeriodAndOnce() {
    Reservation r = insertActive("done", T0);
    ExpiryJob job = job();

    clock.set(T0.plus(Duration.ofMinutes(4)).plusSeconds(59));
    assertThat(job.run(run(clock.instant())).count("expire_enqueued")).isZero();
    assertThat(queuedMessages()).isEmpty();

    clock.set(T0.plus(Duration.ofMinutes(5)).plusSeconds(1));
    assertThat(job.run(run(clock.instant())).count("expire_enqueued")).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    assertThat(job.run(run(clock.instant())).count("expire_enqueued")).isZero();

    List<JsonNode> messages = queuedMessages();
    assertThat(messages).hasSize(1);
    assertThat(messages.getFirst().get("reservationId").asText()).isEqualTo(r.id().toString());
    assertThat(messages.getFirst().get("action").asText())
        .isEqualTo(ReservationMessage.Action.EXPIRE.name());
    Reservation expired = reload(r.id());
    assertThat(expired.status())
        .as("ended by the job itself, before the processor's teardown")
        .isEqualTo(ReservationStatus.EXPIRED);
    assertThat(expired.failureReason()).isNull();
    assertThat(expired.endedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)).plusSeconds(1));
    assertThat(expired.statusHistory().getLast().status()).isEqualTo(ReservationStatus.EXPIRED);
    assertThat(expired.statusHistory().getLast().actor()).isEqualTo("system:cronjobs:expiry");
    assertThat(statusAuditTargets(r.id())).containsExactly("EXPIRED");
    assertThat(jdbi.onDemand(CronQueries.class).expiryEnqueued(r.id(), r.expiresAt())).isTrue();
    Long recordedMsgId =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "select msg_id from cronjobs.expiry_enqueued where reservation_id = :id")
                    .bind("id", r.id())
                    .mapTo(Long.class)
                    .one());
    assertThat(recordedMsgId)
        .as("the EXPIRE's message id is recorded with the deadline")
        .isEqualTo(messageIds().getFirst());
  }

  @Test
  void anExpiryRecordedBeforeLeavesTheRowToTheMessageAlreadySent() {
    // The EXPIRE for this deadline was sent by a run of the job that left the row ACTIVE: that
    // message ends it, and the job neither sends another nor moves the row.
    Reservation r = insertActive("old", T0.minus(Duration.ofMinutes(10)));
    jdbi.useExtension(CronQueries.class, q -> q.recordExpiryEnqueued(r.id(), r.expiresAt()));

    assertThat(job().run(run(clock.instant())).count("expire_enqueued")).isZero();

    assertThat(queuedMessages()).isEmpty();
    assertThat(reload(r.id()).status()).isEqualTo(ReservationStatus.ACTIVE);
    assertThat(auditRows("reservation.status", r.id())).isZero();
  }

  @Test
  void endingAReservationIsOneTransaction() {
    // The audit insert fails for these two rows: the status change and the message must go with it.
    Reservation due = insertActive("due", T0.minus(Duration.ofMinutes(10)));
    Reservation stuck =
        reservation(
            userId,
            "stuck",
            ReservationStatus.PREPARING,
            T0.minus(Duration.ofMinutes(45)),
            null,
            null);
    jdbi.useExtension(ReservationDao.class, dao -> dao.insert(stuck));
    jdbi.useHandle(
        h -> {
          h.execute(
              "create function odc_test_fail_audit() returns trigger language plpgsql as $$"
                  + " begin raise exception 'audit refused (injected)'; end $$");
          h.execute(
              "create trigger fail_audit before insert on audit_log for each row when"
                  + " (new.resource_id in ('"
                  + due.id()
                  + "', '"
                  + stuck.id()
                  + "')) execute function odc_test_fail_audit()");
        });
    try {
      assertThatThrownBy(() -> job().run(run(clock.instant())))
          .isInstanceOf(PartialFailureException.class);
      assertThat(reload(due.id()).status()).isEqualTo(ReservationStatus.ACTIVE);
      assertThat(reload(stuck.id()).status()).isEqualTo(ReservationStatus.PREPARING);
      assertThat(queuedMessages()).as("no message without its status change").isEmpty();
      assertThat(jdbi.onDemand(CronQueries.class).expiryEnqueued(due.id(), due.expiresAt()))
          .as("the once-per-deadline record rolled back too")
          .isFalse();
    } finally {
      jdbi.useHandle(
          h -> {
            h.execute("drop trigger if exists fail_audit on audit_log");
            h.execute("drop function if exists odc_test_fail_audit()");
          });
    }

    JobReport next = job().run(run(clock.instant()));

    assertThat(next.count("expire_enqueued")).isEqualTo(1);
    assertThat(next.count("preparing_failed")).isEqualTo(1);
    assertThat(reload(due.id()).status()).isEqualTo(ReservationStatus.EXPIRED);
    assertThat(reload(stuck.id()).status()).isEqualTo(ReservationStatus.FAILED);
    assertThat(messages())
        .containsExactlyInAnyOrder(
            due.id() + ":" + ReservationMessage.Action.EXPIRE,
            stuck.id() + ":" + ReservationMessage.Action.CANCEL);
    assertThat(statusAuditTargets(due.id())).containsExactly("EXPIRED");
    assertThat(statusAuditTargets(stuck.id())).containsExactly("FAILED");
  }

  @Test
  void aRunThatCrashesHalfwayIsFinishedByTheNextWithoutDuplicates() {
    Reservation a = insertActive("alpha", T0.plus(Duration.ofMinutes(10)));
    Reservation b = insertActive("beta", T0.plus(Duration.ofMinutes(10)));
    Reservation c = insertActive("gamma", T0.minus(Duration.ofMinutes(10)));
    Set<String> failOnce = new java.util.concurrent.ConcurrentSkipListSet<>(Set.of("beta-0"));
    PodNotifier flaky =
        new PodNotifier(client, Duration.ofSeconds(2)) {
          @Override
          public boolean createEvent(
              String namespace, String podName, int minutes, Instant expiresAt, String message) {
            if (failOnce.remove(podName)) {
              throw new KubernetesClientException("API server unavailable (injected)");
            }
            return super.createEvent(namespace, podName, minutes, expiresAt, message);
          }
        };
    ExpiryJob job = job(flaky);

    assertThatThrownBy(() -> job.run(run(clock.instant())))
        .isInstanceOf(PartialFailureException.class);
    assertThat(reload(b.id()).warningsSent()).as("rolled back with the failed Event").isEmpty();

    JobReport second = job.run(run(clock.instant()));
    assertThat(second.count("warnings_sent")).isEqualTo(1);
    assertThat(second.count("expire_enqueued")).isZero();
    job.run(run(clock.instant()));

    assertThat(warningEvents("alpha-0")).hasSize(1);
    assertThat(warningEvents("beta-0")).hasSize(1);
    assertThat(auditRows("reservation.warn", a.id())).isEqualTo(1);
    assertThat(auditRows("reservation.warn", b.id())).isEqualTo(1);
    assertThat(messages()).containsExactly(c.id() + ":" + ReservationMessage.Action.EXPIRE);
    assertThat(reload(c.id()).status()).isEqualTo(ReservationStatus.EXPIRED);
    assertThat(statusAuditTargets(c.id())).containsExactly("EXPIRED");
    assertThat(webhookPosts).hasSize(2);
  }

  @Test
  void stuckAndVanishedReservationsAreEnded() {
    Reservation preparing =
        reservation(
            userId,
            "prep",
            ReservationStatus.PREPARING,
            T0.minus(Duration.ofMinutes(31)),
            null,
            null);
    Reservation freshPreparing =
        reservation(
            userId,
            "prep2",
            ReservationStatus.PREPARING,
            T0.minus(Duration.ofMinutes(5)),
            null,
            null);
    Reservation queued =
        reservation(
            userId, "wait", ReservationStatus.QUEUED, T0.minus(Duration.ofHours(25)), null, null);
    Reservation vanished =
        reservation(
            userId,
            "gone",
            ReservationStatus.ACTIVE,
            T0.minus(Duration.ofHours(1)),
            "gone-0",
            T0.plus(Duration.ofHours(1)));
    Reservation vanishedLate =
        reservation(
            userId,
            "gone2",
            ReservationStatus.ACTIVE,
            T0.minus(Duration.ofHours(3)),
            "gone2-0",
            T0.minus(Duration.ofMinutes(1)));
    Reservation alive = insertActive("alive", T0.plus(Duration.ofHours(1)));
    jdbi.useExtension(
        ReservationDao.class,
        dao ->
            List.of(preparing, freshPreparing, queued, vanished, vanishedLate)
                .forEach(dao::insert));

    JobReport report = job().run(run(clock.instant()));

    assertThat(report.count("preparing_failed")).isEqualTo(1);
    assertThat(report.count("queued_cancelled")).isEqualTo(1);
    assertThat(report.count("vanished")).isEqualTo(2);
    assertThat(reload(preparing.id()).status()).isEqualTo(ReservationStatus.FAILED);
    assertThat(reload(preparing.id()).failureReason())
        .contains("PREPARING for longer than 30 minutes");
    assertThat(reload(freshPreparing.id()).status()).isEqualTo(ReservationStatus.PREPARING);
    assertThat(reload(queued.id()).status()).isEqualTo(ReservationStatus.CANCELLED);
    assertThat(reload(queued.id()).statusHistory().getLast().reason()).contains("QUEUED");
    assertThat(reload(vanished.id()).status()).isEqualTo(ReservationStatus.FAILED);
    assertThat(reload(vanished.id()).failureReason()).contains("gone-0 vanished");
    assertThat(reload(vanishedLate.id()).status()).isEqualTo(ReservationStatus.EXPIRED);
    assertThat(reload(alive.id()).status()).isEqualTo(ReservationStatus.ACTIVE);
    assertThat(reload(queued.id()).endedAt()).isEqualTo(T0);
    assertThat(reload(preparing.id()).endedAt()).isEqualTo(T0);
    assertThat(statusAuditTargets(preparing.id())).containsExactly("FAILED");
    assertThat(statusAuditTargets(queued.id())).containsExactly("CANCELLED");
    assertThat(statusAuditTargets(vanished.id())).containsExactly("FAILED");
    assertThat(statusAuditTargets(vanishedLate.id())).containsExactly("EXPIRED");
    // Each one ended gets the message that has the processor tear it down (pods, services, disk
    // lock), sent with its status change; those left alone get none.
    assertThat(messages())
        .containsExactlyInAnyOrder(
            preparing.id() + ":" + ReservationMessage.Action.CANCEL,
            queued.id() + ":" + ReservationMessage.Action.CANCEL,
            vanished.id() + ":" + ReservationMessage.Action.CANCEL,
            vanishedLate.id() + ":" + ReservationMessage.Action.EXPIRE);

    JobReport again = job().run(run(clock.instant()));
    assertThat(
            again.count("preparing_failed")
                + again.count("queued_cancelled")
                + again.count("vanished"))
        .isZero();
    assertThat(queuedMessages()).as("nothing sent twice").hasSize(4);
  }
}
