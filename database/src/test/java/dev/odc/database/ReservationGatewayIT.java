package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.AuditEvent;
import dev.odc.core.GpuType;
import dev.odc.core.InvalidTransitionException;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.pgmq.QueueMessage;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Reservations} as the one place every service changes a reservation through: the admission
 * hook the API's limits run in, the checks on the locked row, and {@link Reservations#end} inside a
 * job's own transaction. Real PostgreSQL and real pgmq.
 */
class ReservationGatewayIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private Pgmq pgmq;
  private Reservations reservations;
  private ReservationDao dao;
  private AuditDao audit;
  private User alice;

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    pgmq = new Pgmq(db.jdbi());
    reservations = new Reservations(db.jdbi(), pgmq);
    dao = db.jdbi().onDemand(ReservationDao.class);
    audit = db.jdbi().onDemand(AuditDao.class);
    alice = TestData.user(db.jdbi(), "alice");
    db.jdbi().onDemand(GpuTypeDao.class).upsertDefinition("h100", "H100", 8, 96, 1024);
  }

  private NewReservation request(String name, String gpuType) {
    return new NewReservation(
        alice.id(), alice.username(), name, gpuType, 2, 1, "ubuntu:24.04", 4, null, Map.of());
  }

  private List<QueueMessage<ReservationMessage>> messages() {
    return pgmq.read(
        ReservationMessage.QUEUE, Duration.ofSeconds(30), 100, ReservationMessage.class);
  }

  @Test
  void admissionSeesTheGpuTypeUnderTheUsersLockAndPicksTheDisk() {
    AtomicReference<Optional<GpuType>> seen = new AtomicReference<>();
    List<Integer> advisoryLocks = new ArrayList<>();
    Reservations.Created first =
        reservations.create(
            request("first", "h100"),
            "alice",
            (h, req, type) -> {
              seen.set(type);
              advisoryLocks.add(
                  h.createQuery(
                          "select count(*) from pg_locks where locktype = 'advisory'"
                              + " and pid = pg_backend_pid()")
                      .mapTo(Integer.class)
                      .one());
              return "scratch";
            });
    Reservations.Created second =
        reservations.create(request("second", "h100"), "alice", Reservations.Admission.ANY);

    assertThat(seen.get()).get().extracting(GpuType::gpusPerNode).isEqualTo(8);
    assertThat(advisoryLocks).containsExactly(1);
    assertThat(first.reservation().diskName()).isEqualTo("scratch");
    assertThat(dao.findById(first.reservation().id())).contains(first.reservation());
    assertThat(first.waitingAhead()).isZero();
    assertThat(second.waitingAhead()).isEqualTo(1);
    assertThat(audit.query(AuditQuery.all().withAction("reservation.create"), null, 10).items())
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.details()).containsEntry("gpuType", "h100"))
        .anySatisfy(e -> assertThat(e.details()).containsEntry("disk", "scratch"));
    assertThat(messages()).hasSize(2);
  }

  @Test
  void aRefusingAdmissionWritesNothing() {
    List<Optional<GpuType>> seen = new ArrayList<>();
    assertThatThrownBy(
            () ->
                reservations.create(
                    request("nope", "b200"),
                    "alice",
                    (h, req, type) -> {
                      seen.add(type);
                      throw new IllegalArgumentException("unknown GPU type " + req.gpuType());
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown GPU type b200");

    assertThat(seen).containsExactly(Optional.empty());
    assertThat(dao.list(null, null, null, 10).items()).isEmpty();
    assertThat(audit.count()).isZero();
    assertThat(messages()).isEmpty();
  }

  @Test
  void aCheckOnTheLockedRowCanRefuseACancelOrAnExtension() {
    Reservation r = reservations.create(request("train", "h100"), "alice");
    messages().forEach(m -> pgmq.delete(ReservationMessage.QUEUE, m.msgId()));
    long auditRows = audit.count();

    assertThatThrownBy(
            () ->
                reservations.cancel(
                    r.id(),
                    "alice",
                    "changed my mind",
                    locked -> {
                      assertThat(locked.version()).isEqualTo(r.version());
                      throw new IllegalStateException("refused by the caller's rule");
                    }))
        .hasMessage("refused by the caller's rule");
    assertThatThrownBy(
            () ->
                reservations.extend(
                    r.id(),
                    100,
                    "alice",
                    locked -> {
                      throw new IllegalStateException("over the total hours");
                    }))
        .hasMessage("over the total hours");

    assertThat(dao.findById(r.id())).contains(r);
    assertThat(audit.count()).isEqualTo(auditRows);
    assertThat(messages()).isEmpty();

    Reservation cancelled = reservations.cancel(r.id(), "alice", "cancelled by alice", x -> {});
    assertThat(cancelled.status()).isEqualTo(ReservationStatus.CANCELLED);
    assertThat(audit.query(AuditQuery.all().withAction("reservation.cancel"), null, 10).items())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.details())
                    .containsEntry("from", "PENDING")
                    .containsEntry("to", "CANCELLED")
                    .containsEntry("owner", "alice")
                    .containsEntry("teardown", "CANCEL"));
  }

  @Test
  void endRunsInTheCallersTransactionAndSendsTheTeardown() {
    Reservation r = reservations.create(request("train", "h100"), "alice");
    Reservation preparing =
        reservations.transition(r.id(), 0, ReservationStatus.PREPARING, "system:processor", null);
    messages().forEach(m -> pgmq.delete(ReservationMessage.QUEUE, m.msgId()));

    Reservations.Ended ended =
        db.jdbi()
            .inTransaction(
                h ->
                    reservations.end(
                        h,
                        preparing,
                        ReservationStatus.FAILED,
                        "system:cronjobs:expiry",
                        "PREPARING for too long",
                        Map.of("limitMinutes", 30)));

    assertThat(ended.reservation().status()).isEqualTo(ReservationStatus.FAILED);
    assertThat(ended.reservation().failureReason()).isEqualTo("PREPARING for too long");
    assertThat(ended.reservation().endedAt()).isNotNull();
    assertThat(dao.findById(r.id())).contains(ended.reservation());
    assertThat(messages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.msgId()).isEqualTo(ended.messageId());
              assertThat(m.message())
                  .isEqualTo(new ReservationMessage(r.id(), ReservationMessage.Action.CANCEL));
            });
    assertThat(
            audit
                .query(
                    AuditQuery.all()
                        .withAction("reservation.status")
                        .withActor("system:cronjobs:expiry"),
                    null,
                    10)
                .items())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.outcome()).isEqualTo(AuditEvent.SUCCESS);
              assertThat(e.details())
                  .containsEntry("from", "PREPARING")
                  .containsEntry("to", "FAILED")
                  .containsEntry("limitMinutes", 30)
                  .containsEntry("teardown", "CANCEL")
                  .containsEntry("msgId", (int) ended.messageId());
            });
    assertThat(audit.verify().intact()).isTrue();
  }

  @Test
  void endOfARowChangedSinceItWasReadWritesNothing() {
    Reservation r = reservations.create(request("train", "h100"), "alice");
    reservations.transition(r.id(), 0, ReservationStatus.PREPARING, "system:processor", null);
    messages().forEach(m -> pgmq.delete(ReservationMessage.QUEUE, m.msgId()));
    long auditRows = audit.count();

    assertThatThrownBy(() -> endInTransaction(r, ReservationStatus.CANCELLED))
        .isInstanceOf(StaleUpdateException.class);
    Reservation current = dao.findById(r.id()).orElseThrow();
    assertThatThrownBy(() -> endInTransaction(current, ReservationStatus.ACTIVE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> endInTransaction(current, ReservationStatus.EXPIRED))
        .isInstanceOf(InvalidTransitionException.class);

    assertThat(dao.findById(r.id()).orElseThrow().status()).isEqualTo(ReservationStatus.PREPARING);
    assertThat(audit.count()).isEqualTo(auditRows);
    assertThat(messages()).isEmpty();
  }

  private void endInTransaction(Reservation r, ReservationStatus to) {
    db.jdbi().useTransaction(h -> reservations.end(h, r, to, "system:test", "test", Map.of()));
  }
}
