package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.AuditEvent;
import dev.odc.core.InvalidTransitionException;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.core.User;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.pgmq.QueueMessage;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReservationsIT {
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
  }

  private NewReservation request() {
    return new NewReservation(
        alice.id(),
        alice.username(),
        "train",
        "h100",
        2,
        1,
        "ubuntu:24.04",
        4,
        "home",
        Map.of("team", "ml"));
  }

  private List<QueueMessage<ReservationMessage>> messages() {
    return pgmq.read(
        ReservationMessage.QUEUE, Duration.ofSeconds(30), 100, ReservationMessage.class);
  }

  @Test
  void createWritesTheRowTheAuditRowAndTheMessageTogether() {
    Reservation r = reservations.create(request(), "alice");

    assertThat(dao.findById(r.id())).contains(r);
    assertThat(r.status()).isEqualTo(ReservationStatus.PENDING);
    assertThat(r.version()).isZero();
    assertThat(r.statusHistory())
        .extracting(StatusChange::status)
        .containsExactly(ReservationStatus.PENDING);
    assertThat(r.labels()).containsEntry("team", "ml");

    assertThat(audit.query(AuditQuery.all(), null, 10).items())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.action()).isEqualTo("reservation.create");
              assertThat(e.actor()).isEqualTo("alice");
              assertThat(e.resourceType()).isEqualTo("reservation");
              assertThat(e.resourceId()).isEqualTo(r.id().toString());
              assertThat(e.outcome()).isEqualTo(AuditEvent.SUCCESS);
              assertThat(e.details()).containsEntry("gpuType", "h100").containsEntry("gpuCount", 2);
            });
    assertThat(messages())
        .extracting(QueueMessage::message)
        .containsExactly(new ReservationMessage(r.id(), ReservationMessage.Action.PROVISION));
  }

  @Test
  void aFailureAfterTheInsertLeavesNoRowNoAuditAndNoMessage() {
    Reservations failing =
        reservations.withAfterInsertHook(
            h -> {
              // the row is there inside the transaction...
              assertThat(
                      h.createQuery("select count(*) from reservations").mapTo(Integer.class).one())
                  .isEqualTo(1);
              throw new IllegalStateException("injected failure after insert");
            });

    assertThatThrownBy(() -> failing.create(request(), "alice"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("injected failure after insert");

    // ...and gone with everything else after the rollback
    assertThat(dao.list(null, null, null, 10).items()).isEmpty();
    assertThat(audit.count()).isZero();
    assertThat(messages()).isEmpty();
    assertThat(pgmq.metrics(ReservationMessage.QUEUE).queueLength()).isZero();
  }

  @Test
  void transitionMovesTheStatusBumpsTheVersionAndAudits() {
    Reservation r = reservations.create(request(), "alice");
    Reservation preparing =
        reservations.transition(
            r.id(), 0, ReservationStatus.PREPARING, "system:processor", "capacity free");
    Reservation active =
        reservations.transition(
            preparing.id(),
            preparing.version(),
            ReservationStatus.ACTIVE,
            "system:processor",
            "pod ready",
            new ReservationChanges()
                .pod("odc-reservations", "odc-" + r.shortId(), "node-1")
                .ssh("10.0.0.7", 31022));

    assertThat(active.version()).isEqualTo(2);
    assertThat(active.status()).isEqualTo(ReservationStatus.ACTIVE);
    assertThat(active.sshCommand()).isEqualTo("ssh -p 31022 dev@10.0.0.7");
    assertThat(active.nodeName()).isEqualTo("node-1");
    assertThat(active.startedAt()).isNotNull();
    assertThat(active.expiresAt()).isEqualTo(active.startedAt().plus(4, ChronoUnit.HOURS));
    assertThat(active.statusHistory())
        .extracting(StatusChange::status)
        .containsExactly(
            ReservationStatus.PENDING, ReservationStatus.PREPARING, ReservationStatus.ACTIVE);
    assertThat(dao.findById(r.id())).contains(active);

    assertThat(audit.query(AuditQuery.all().withAction("reservation.status"), null, 10).items())
        .extracting(e -> e.details().get("to"))
        .containsExactly("ACTIVE", "PREPARING");
  }

  @Test
  void aStaleTransitionIsRejectedAndOverwritesNothing() {
    Reservation r = reservations.create(request(), "alice");
    // two processors read version 0; the first one wins
    reservations.transition(
        r.id(),
        0,
        ReservationStatus.QUEUED,
        "system:processor",
        "no capacity",
        new ReservationChanges().queuePosition(3, null));

    assertThatThrownBy(
            () ->
                reservations.transition(
                    r.id(), 0, ReservationStatus.PREPARING, "system:processor", "capacity"))
        .isInstanceOf(StaleUpdateException.class)
        .hasMessageContaining(r.id().toString())
        .satisfies(e -> assertThat(((StaleUpdateException) e).expectedVersion()).isZero());

    Reservation stored = dao.findById(r.id()).orElseThrow();
    assertThat(stored.status()).isEqualTo(ReservationStatus.QUEUED);
    assertThat(stored.queuePosition()).isEqualTo(3);
    assertThat(stored.version()).isEqualTo(1);
    assertThat(audit.query(AuditQuery.all().withAction("reservation.status"), null, 10).items())
        .hasSize(1);
  }

  @Test
  void aStaleDaoUpdateIsRejected() {
    Reservation r = reservations.create(request(), "alice");
    Reservation first = dao.update(r);
    assertThat(first.version()).isEqualTo(1);
    assertThatThrownBy(() -> dao.update(r)).isInstanceOf(StaleUpdateException.class);
  }

  @Test
  void theStateMachineGuardsTransitions() {
    Reservation r = reservations.create(request(), "alice");
    assertThatThrownBy(
            () ->
                reservations.transition(
                    r.id(), 0, ReservationStatus.ACTIVE, "system:processor", null))
        .isInstanceOf(InvalidTransitionException.class)
        .hasMessageContaining("PENDING to ACTIVE");
    assertThatThrownBy(
            () ->
                reservations.transition(
                    UUID.randomUUID(), 0, ReservationStatus.QUEUED, "system:processor", null))
        .isInstanceOf(ReservationNotFoundException.class);
    assertThat(dao.findById(r.id()).orElseThrow().version()).isZero();
  }

  @Test
  void failedRecordsTheReasonAndTheEnd() {
    Reservation r = reservations.create(request(), "alice");
    Reservation failed =
        reservations.transition(
            r.id(), 0, ReservationStatus.FAILED, "system:processor", "image pull failed");
    assertThat(failed.failureReason()).isEqualTo("image pull failed");
    assertThat(failed.endedAt()).isNotNull();
    assertThatThrownBy(
            () ->
                reservations.transition(
                    r.id(), 1, ReservationStatus.QUEUED, "system:processor", null))
        .isInstanceOf(InvalidTransitionException.class)
        .hasMessageContaining("is final");
  }

  @Test
  void cancelEndsTheReservationAuditsAndQueuesTheTeardown() {
    Reservation r = reservations.create(request(), "alice");
    messages().forEach(m -> pgmq.delete(ReservationMessage.QUEUE, m.msgId()));

    Reservation cancelled = reservations.cancel(r.id(), "alice", "not needed");

    assertThat(cancelled.status()).isEqualTo(ReservationStatus.CANCELLED);
    assertThat(cancelled.endedAt()).isNotNull();
    assertThat(messages())
        .extracting(QueueMessage::message)
        .containsExactly(new ReservationMessage(r.id(), ReservationMessage.Action.CANCEL));
    assertThat(audit.query(AuditQuery.all().withAction("reservation.cancel"), null, 10).items())
        .hasSize(1);

    assertThatThrownBy(() -> reservations.cancel(r.id(), "alice", "again"))
        .isInstanceOf(InvalidTransitionException.class);
    assertThat(audit.query(AuditQuery.all().withAction("reservation.cancel"), null, 10).items())
        .hasSize(1);
  }

  @Test
  void extendAddsHoursToTheExpiryAndClearsTheWarnings() {
    Reservation r = reservations.create(request(), "alice");
    Reservation p =
        reservations.transition(r.id(), 0, ReservationStatus.PREPARING, "system:processor", null);
    Reservation a =
        reservations.transition(
            r.id(), p.version(), ReservationStatus.ACTIVE, "system:processor", null);
    assertThat(dao.markWarningSent(r.id(), 30)).isTrue();
    assertThat(dao.markWarningSent(r.id(), 30)).isFalse();
    messages().forEach(m -> pgmq.delete(ReservationMessage.QUEUE, m.msgId()));

    Reservation extended = reservations.extend(r.id(), 2, "alice");

    assertThat(extended.hours()).isEqualTo(6);
    assertThat(extended.expiresAt()).isEqualTo(a.expiresAt().plus(2, ChronoUnit.HOURS));
    assertThat(extended.warningsSent()).isEmpty();
    assertThat(messages())
        .extracting(QueueMessage::message)
        .containsExactly(new ReservationMessage(r.id(), ReservationMessage.Action.EXTEND));
    assertThat(audit.query(AuditQuery.all().withAction("reservation.extend"), null, 10).items())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.details())
                    .containsEntry("hours", 2.0)
                    .containsEntry("totalHours", 6.0)
                    .containsEntry("owner", "alice"));

    assertThatThrownBy(() -> reservations.extend(r.id(), -1, "alice"))
        .isInstanceOf(IllegalArgumentException.class);
    Reservation expired = reservations.expire(r.id(), "system:cronjobs:expiry", "time is up");
    assertThat(expired.status()).isEqualTo(ReservationStatus.EXPIRED);
    assertThatThrownBy(() -> reservations.extend(r.id(), 1, "alice"))
        .isInstanceOf(ReservationStateException.class)
        .hasMessageContaining("EXPIRED");
  }

  @Test
  void expireOnlyEndsActiveReservations() {
    Reservation r = reservations.create(request(), "alice");
    assertThatThrownBy(() -> reservations.expire(r.id(), "system:cronjobs:expiry", null))
        .isInstanceOf(InvalidTransitionException.class);
  }
}
