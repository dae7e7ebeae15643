package dev.odc.database;

import dev.odc.core.AuditEvent;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.pgmq.Pgmq;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The reservation operations that change a row, write its audit row and (where the processor has
 * work to do) send a queue message, all in ONE transaction: either all three happen or none.
 *
 * <p>Cancel and expire mark the row CANCELLED/EXPIRED at once (users see it immediately; a
 * PROVISION still in the queue then finds a terminal row and does nothing) and send CANCEL/EXPIRE
 * so the processor tears down the pod, services and disk lock. The processor must therefore tear
 * down on CANCEL/EXPIRE whatever the row's status, idempotently, and not try to move the status
 * again.
 *
 * <p>Audit actions (docs/dev/CONTRACTS.md): {@code reservation.create}, {@code reservation.cancel},
 * {@code reservation.extend}, {@code reservation.status} (transitions and expiry), resource type
 * {@value #RESOURCE_TYPE}, resource id the reservation's UUID.
 */
public final class Reservations {
  public static final String RESOURCE_TYPE = "reservation";

  private final Jdbi jdbi;
  private final Pgmq pgmq;
  private final Clock clock;
  private final Consumer<Handle> afterInsert;

  public Reservations(Jdbi jdbi, Pgmq pgmq) {
    this(jdbi, pgmq, Clock.systemUTC());
  }

  public Reservations(Jdbi jdbi, Pgmq pgmq, Clock clock) {
    this(jdbi, pgmq, clock, h -> {});
  }

  private Reservations(Jdbi jdbi, Pgmq pgmq, Clock clock, Consumer<Handle> afterInsert) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.pgmq = Objects.requireNonNull(pgmq, "pgmq");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.afterInsert = Objects.requireNonNull(afterInsert, "afterInsert");
  }

  /**
   * A copy that runs {@code hook} inside {@link #create}'s transaction right after the row is
   * inserted, before the audit row and the message. For tests: a hook that throws shows that
   * nothing of the create survives.
   */
  public Reservations withAfterInsertHook(Consumer<Handle> hook) {
    return new Reservations(jdbi, pgmq, clock, hook);
  }

  /**
   * Creates a PENDING reservation, its {@code reservation.create} audit row and a PROVISION message
   * on the {@code reservations} queue, in one transaction.
   *
   * @return the reservation as stored (version 0)
   */
  public Reservation create(NewReservation request, String actor) {
    Objects.requireNonNull(request, "request");
    requireActor(actor);
    Instant now = now();
    Reservation r =
        new Reservation(
            UUID.randomUUID(),
            request.userId(),
            request.username(),
            request.name(),
            request.gpuType(),
            request.gpuCount(),
            request.nodeCount(),
            request.image(),
            request.hours(),
            request.diskName(),
            request.labels(),
            ReservationStatus.PENDING,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            now,
            null,
            null,
            null,
            List.of(),
            List.of(new StatusChange(ReservationStatus.PENDING, now, actor, "created")),
            0);
    return jdbi.inTransaction(
        h -> {
          h.attach(ReservationDao.class).insert(r);
          afterInsert.accept(h);
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("name", r.name());
          details.put("gpuType", r.gpuType());
          details.put("gpuCount", r.gpuCount());
          details.put("nodeCount", r.nodeCount());
          details.put("hours", r.hours());
          if (r.diskName() != null) {
            details.put("diskName", r.diskName());
          }
          AuditLog.append(
              h,
              actor,
              "reservation.create",
              RESOURCE_TYPE,
              r.id().toString(),
              AuditEvent.SUCCESS,
              details);
          pgmq.send(
              h,
              ReservationMessage.QUEUE,
              new ReservationMessage(r.id(), ReservationMessage.Action.PROVISION));
          return r;
        });
  }

  /**
   * Moves a reservation to {@code to}, if the state machine allows it and the row still has {@code
   * expectedVersion}; writes a {@code reservation.status} audit row. No queue message.
   *
   * @param changes field updates that go with the move (pod, ssh endpoint, queue position, ...)
   * @return the reservation as stored, version bumped
   * @throws StaleUpdateException when the row changed since the caller read it: nothing written
   * @throws dev.odc.core.InvalidTransitionException when the state machine forbids the move
   * @throws ReservationNotFoundException when there is no such reservation
   */
  public Reservation transition(
      UUID id,
      long expectedVersion,
      ReservationStatus to,
      String actor,
      String reason,
      ReservationChanges changes) {
    requireActor(actor);
    Objects.requireNonNull(to, "to");
    ReservationChanges c = changes == null ? ReservationChanges.none() : changes;
    return jdbi.inTransaction(
        h -> {
          Reservation current =
              ReservationRows.findByIdForUpdate(h, id)
                  .orElseThrow(() -> new ReservationNotFoundException(id));
          if (current.version() != expectedVersion) {
            throw new StaleUpdateException(RESOURCE_TYPE, id, expectedVersion);
          }
          ReservationStatus from = current.status();
          from.checkTransitionTo(to);
          Reservation stored =
              ReservationRows.update(h, c.applyTo(current, to, now(), actor, reason));
          audit(h, actor, "reservation.status", stored, statusDetails(from, to, reason));
          return stored;
        });
  }

  /** {@link #transition} without field changes. */
  public Reservation transition(
      UUID id, long expectedVersion, ReservationStatus to, String actor, String reason) {
    return transition(id, expectedVersion, to, actor, reason, ReservationChanges.none());
  }

  /**
   * Cancels a reservation in any non-terminal state: marks it CANCELLED, writes a {@code
   * reservation.cancel} audit row and sends CANCEL for the teardown, in one transaction.
   *
   * @throws dev.odc.core.InvalidTransitionException when it already ended
   * @throws ReservationNotFoundException when there is no such reservation
   */
  public Reservation cancel(UUID id, String actor, String reason) {
    return end(
        id,
        ReservationStatus.CANCELLED,
        "reservation.cancel",
        ReservationMessage.Action.CANCEL,
        actor,
        reason);
  }

  /**
   * Expires an ACTIVE reservation: marks it EXPIRED, writes a {@code reservation.status} audit row
   * and sends EXPIRE for the teardown, in one transaction.
   *
   * @throws dev.odc.core.InvalidTransitionException when it is not ACTIVE
   */
  public Reservation expire(UUID id, String actor, String reason) {
    return end(
        id,
        ReservationStatus.EXPIRED,
        "reservation.status",
        ReservationMessage.Action.EXPIRE,
        actor,
        reason);
  }

  /**
   * Adds hours to a live reservation (and to its expiry time when it has one), clears the expiry
   * warnings already sent, writes a {@code reservation.extend} audit row and sends EXTEND, in one
   * transaction. Limits (maximum hours) are the caller's to check before.
   *
   * @throws ReservationStateException when the reservation already ended
   */
  public Reservation extend(UUID id, double additionalHours, String actor) {
    requireActor(actor);
    if (!(additionalHours > 0) || Double.isInfinite(additionalHours)) {
      throw new IllegalArgumentException("hours must be a positive number, was " + additionalHours);
    }
    return jdbi.inTransaction(
        h -> {
          Reservation r =
              ReservationRows.findByIdForUpdate(h, id)
                  .orElseThrow(() -> new ReservationNotFoundException(id));
          if (r.status().isTerminal()) {
            throw new ReservationStateException(
                id, r.status(), "only a live reservation can be extended");
          }
          Instant expires =
              r.expiresAt() == null
                  ? null
                  : r.expiresAt().plusMillis(Math.round(additionalHours * 3_600_000d));
          Reservation extended =
              new Reservation(
                  r.id(),
                  r.userId(),
                  r.username(),
                  r.name(),
                  r.gpuType(),
                  r.gpuCount(),
                  r.nodeCount(),
                  r.image(),
                  r.hours() + additionalHours,
                  r.diskName(),
                  r.labels(),
                  r.status(),
                  r.failureReason(),
                  r.queuePosition(),
                  r.estimatedStartAt(),
                  r.namespace(),
                  r.podName(),
                  r.nodeName(),
                  r.sshHost(),
                  r.sshPort(),
                  r.createdAt(),
                  r.startedAt(),
                  expires,
                  r.endedAt(),
                  List.of(),
                  r.statusHistory(),
                  r.version());
          Reservation stored = ReservationRows.update(h, extended);
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("additionalHours", additionalHours);
          details.put("hours", stored.hours());
          if (stored.expiresAt() != null) {
            details.put("expiresAt", stored.expiresAt().toString());
          }
          audit(h, actor, "reservation.extend", stored, details);
          pgmq.send(
              h,
              ReservationMessage.QUEUE,
              new ReservationMessage(id, ReservationMessage.Action.EXTEND));
          return stored;
        });
  }

  private Reservation end(
      UUID id,
      ReservationStatus to,
      String action,
      ReservationMessage.Action message,
      String actor,
      String reason) {
    requireActor(actor);
    return jdbi.inTransaction(
        h -> {
          Reservation current =
              ReservationRows.findByIdForUpdate(h, id)
                  .orElseThrow(() -> new ReservationNotFoundException(id));
          ReservationStatus from = current.status();
          from.checkTransitionTo(to);
          Reservation stored =
              ReservationRows.update(
                  h, ReservationChanges.none().applyTo(current, to, now(), actor, reason));
          audit(h, actor, action, stored, statusDetails(from, to, reason));
          pgmq.send(h, ReservationMessage.QUEUE, new ReservationMessage(id, message));
          return stored;
        });
  }

  private static void audit(
      Handle h, String actor, String action, Reservation r, Map<String, Object> details) {
    AuditLog.append(
        h, actor, action, RESOURCE_TYPE, r.id().toString(), AuditEvent.SUCCESS, details);
  }

  private static Map<String, Object> statusDetails(
      ReservationStatus from, ReservationStatus to, String reason) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("from", from.name());
    details.put("to", to.name());
    if (reason != null) {
      details.put("reason", reason);
    }
    return details;
  }

  // PostgreSQL keeps microseconds; truncating here makes the returned record equal the stored one
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static void requireActor(String actor) {
    if (actor == null || actor.isBlank()) {
      throw new IllegalArgumentException("actor must not be blank");
    }
  }
}
