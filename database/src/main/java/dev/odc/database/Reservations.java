package dev.odc.database;

import dev.odc.core.AuditEvent;
import dev.odc.core.GpuType;
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
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The one way a reservation changes: every service (the API's create, cancel and extend, the
 * processor's transitions, the cronjobs' expiry and backstops) writes the row, its audit row and
 * (where the processor has work to do) its queue message here, all in ONE transaction: either all
 * three happen or none. Rules that belong to one service stay there and run inside the transaction:
 * the API's limits through an {@link Admission} on create and a check of the locked row on cancel
 * and extend; a job that must write its own bookkeeping in the same transaction calls {@link
 * #end(Handle, Reservation, ReservationStatus, String, String, Map)} on its handle.
 *
 * <p>Cancel and expire mark the row CANCELLED/EXPIRED at once (users see it immediately; a
 * PROVISION still in the queue then finds a terminal row and does nothing) and send CANCEL/EXPIRE
 * so the processor tears down the pod, services and disk lock. The processor must therefore tear
 * down on CANCEL/EXPIRE whatever the row's status, idempotently, and not try to move the status
 * again.
 *
 * <p>Audit actions (docs/dev/CONTRACTS.md): {@code reservation.create}, {@code reservation.cancel},
 * {@code reservation.extend}, {@code reservation.status} (transitions, expiry and the jobs' ends),
 * resource type {@value #RESOURCE_TYPE}, resource id the reservation's UUID.
 */
public final class Reservations {
  public static final String RESOURCE_TYPE = "reservation";

  private static final String STATUS_ACTION = "reservation.status";

  /**
   * Takes the user's lock (serializing the limit checks of one user across service instances until
   * the transaction ends) and reads the GPU type {@code gpuType}, in one round trip; no row for an
   * unknown type.
   */
  static final String LOCK_USER_AND_FIND_GPU_TYPE =
      "select g.* from gpu_types g,"
          + " lateral (select pg_advisory_xact_lock(hashtext('odc.user.'"
          + " || cast(:userId as text)))) l where g.name = :gpuType";

  /**
   * Inserts a new PENDING reservation and answers the row as stored, with the number of waiting
   * reservations of its type created before it (its place in line), in one round trip.
   */
  static final String INSERT_RETURNING_WAITING_AHEAD =
      "insert into reservations (id, user_id, username, name, gpu_type, gpu_count, node_count,"
          + " image, hours, disk_name, labels, status, created_at, status_history, version)"
          + " values (:id, :userId, :username, :name, :gpuType, :gpuCount, :nodeCount, :image,"
          + " :hours, :diskName, cast(:labels as jsonb), :status, :createdAt,"
          + " cast(:history as jsonb), 0)"
          + " returning *, (select count(*) from reservations w where w.gpu_type = :gpuType"
          + " and w.status in ('PENDING', 'QUEUED')"
          + " and (w.created_at, w.id) < (:createdAt, :id)) as odc_waiting_ahead";

  /**
   * Sends one queue message (with its {@code pg_notify}) and appends one audit row, in one
   * statement. Updates one row.
   */
  static final String SEND_AND_AUDIT =
      "insert into audit_log (actor, action, resource_type, resource_id, outcome, details)"
          + " select :actor, :action, :resourceType, :resourceId, :outcome,"
          + " cast(:details as jsonb)"
          + " from (select pgmq.send(:queue, cast(:message as jsonb), 0) as msg_id) s,"
          + " lateral (select pg_notify(:channel, '')) n";

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
   * Decides, inside {@link #create}'s transaction and with the user's lock held, whether the
   * request may be stored: the service's limits and defaults. Throw to refuse; nothing is written.
   */
  @FunctionalInterface
  public interface Admission {
    /**
     * @param type the GPU type the request names, empty when there is no such type
     * @return the disk the reservation gets (null for none)
     */
    String admit(Handle h, NewReservation request, Optional<GpuType> type);

    /**
     * Like {@link #admit}, with a note for the user about the disk choice (for example that the
     * default disk is held by another reservation, so this one starts without a disk). The note
     * becomes the reason of the first status change and the {@code diskNote} of the audit row.
     */
    default Decision decide(Handle h, NewReservation request, Optional<GpuType> type) {
      return new Decision(admit(h, request, type), null);
    }

    /** Admits every request with the disk it names, whether or not it exists yet. */
    Admission ANY = (h, request, type) -> request.diskName();
  }

  /**
   * What an {@link Admission} decided: the disk the reservation gets (null for none) and a note to
   * the user about it (null for none).
   */
  public record Decision(String diskName, String diskNote) {}

  /**
   * A reservation as {@link #create} stored it, and how many waiting ones of its type are ahead.
   */
  public record Created(Reservation reservation, int waitingAhead) {}

  /**
   * Creates a PENDING reservation, its {@code reservation.create} audit row and a PROVISION message
   * on the {@code reservations} queue, in one transaction, admitting every request ({@link
   * Admission#ANY}).
   *
   * @return the reservation as stored (version 0)
   */
  public Reservation create(NewReservation request, String actor) {
    return create(request, actor, Admission.ANY).reservation();
  }

  /**
   * Creates a PENDING reservation, its {@code reservation.create} audit row and a PROVISION
   * message, in one transaction: takes the user's lock and reads the GPU type, lets {@code
   * admission} refuse the request or pick its disk, inserts the row, then sends the message and
   * writes the audit row in one statement. The audit row comes last on purpose: its trigger takes
   * the chain's lock, which then lasts only until the commit.
   */
  public Created create(NewReservation request, String actor, Admission admission) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(admission, "admission");
    requireActor(actor);
    UUID id = UUID.randomUUID();
    Instant now = now();
    String message =
        Mappers.toJson(new ReservationMessage(id, ReservationMessage.Action.PROVISION));
    return jdbi.inTransaction(
        h -> {
          Optional<GpuType> type =
              h.createQuery(LOCK_USER_AND_FIND_GPU_TYPE)
                  .bind("userId", request.userId())
                  .bind("gpuType", request.gpuType())
                  .mapTo(GpuType.class)
                  .findOne();
          Decision decision = admission.decide(h, request, type);
          String diskName = decision.diskName();
          String history =
              Mappers.toJson(
                  List.of(
                      new StatusChange(
                          ReservationStatus.PENDING,
                          now,
                          request.username(),
                          decision.diskNote())));
          Created created =
              h.createQuery(INSERT_RETURNING_WAITING_AHEAD)
                  .bind("id", id)
                  .bind("userId", request.userId())
                  .bind("username", request.username())
                  .bind("name", request.name())
                  .bind("gpuType", type.map(GpuType::name).orElse(request.gpuType()))
                  .bind("gpuCount", request.gpuCount())
                  .bind("nodeCount", request.nodeCount())
                  .bind("image", request.image())
                  .bind("hours", request.hours())
                  .bind("diskName", diskName)
                  .bind("labels", Mappers.toJson(request.labels()))
                  .bind("status", ReservationStatus.PENDING.name())
                  .bind("createdAt", now)
                  .bind("history", history)
                  .map(
                      (rs, ctx) ->
                          new Created(
                              ctx.findRowMapperFor(Reservation.class).orElseThrow().map(rs, ctx),
                              rs.getInt("odc_waiting_ahead")))
                  .one();
          afterInsert.accept(h);
          Reservation r = created.reservation();
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("gpuType", r.gpuType());
          details.put("gpuCount", r.gpuCount());
          details.put("nodeCount", r.nodeCount());
          details.put("hours", r.hours());
          if (r.diskName() != null) {
            details.put("disk", r.diskName());
          }
          if (decision.diskNote() != null) {
            details.put("diskNote", decision.diskNote());
          }
          int audited =
              h.createUpdate(SEND_AND_AUDIT)
                  .bind("queue", ReservationMessage.QUEUE)
                  .bind("channel", Pgmq.channel(ReservationMessage.QUEUE))
                  .bind("message", message)
                  .bind("actor", actor)
                  .bind("action", "reservation.create")
                  .bind("resourceType", RESOURCE_TYPE)
                  .bind("resourceId", id.toString())
                  .bind("outcome", AuditEvent.SUCCESS)
                  .bind("details", Mappers.toJson(details))
                  .execute();
          if (audited != 1) {
            throw new IllegalStateException(
                "queue send and audit row wrote " + audited + " rows, not 1");
          }
          return created;
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
          Reservation current = lock(h, id);
          if (current.version() != expectedVersion) {
            throw new StaleUpdateException(RESOURCE_TYPE, id, expectedVersion);
          }
          return change(h, current, to, actor, reason, c, STATUS_ACTION, Map.of(), null)
              .reservation();
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
    return cancel(id, actor, reason, r -> {});
  }

  /**
   * {@link #cancel(UUID, String, String)}, after {@code check} accepted the locked row: the
   * caller's own rules (e.g. the API's error for an ended reservation) throw from there.
   */
  public Reservation cancel(UUID id, String actor, String reason, Consumer<Reservation> check) {
    requireActor(actor);
    return jdbi.inTransaction(
        h -> {
          Reservation current = lock(h, id);
          check.accept(current);
          return change(
                  h,
                  current,
                  ReservationStatus.CANCELLED,
                  actor,
                  reason,
                  ReservationChanges.none(),
                  "reservation.cancel",
                  Map.of("owner", current.username()),
                  ReservationMessage.Action.CANCEL)
              .reservation();
        });
  }

  /**
   * Expires an ACTIVE reservation: marks it EXPIRED, writes a {@code reservation.status} audit row
   * and sends EXPIRE for the teardown, in one transaction.
   *
   * @throws dev.odc.core.InvalidTransitionException when it is not ACTIVE
   */
  public Reservation expire(UUID id, String actor, String reason) {
    requireActor(actor);
    return jdbi.inTransaction(
        h -> end(h, lock(h, id), ReservationStatus.EXPIRED, actor, reason, Map.of()).reservation());
  }

  /** A reservation an {@link #end} stored, and the id of the teardown message it sent. */
  public record Ended(Reservation reservation, long messageId) {}

  /**
   * Inside the caller's transaction: ends {@code r} (as the caller read it; a change since fails
   * the versioned update with {@link StaleUpdateException}) as {@code to}, writes its {@code
   * reservation.status} audit row with {@code details} added, and sends the message that has the
   * processor tear it down: EXPIRE for EXPIRED, CANCEL otherwise. A move to FAILED records {@code
   * reason} as the failure reason. The processor's teardown removes pods, services and owner,
   * snapshots and releases the disk whatever the row's status, and leaves an ended row as it is.
   *
   * @throws dev.odc.core.InvalidTransitionException when {@code to} is not a terminal state {@code
   *     r} may move to
   */
  public Ended end(
      Handle h,
      Reservation r,
      ReservationStatus to,
      String actor,
      String reason,
      Map<String, ?> details) {
    requireActor(actor);
    if (!to.isTerminal()) {
      throw new IllegalArgumentException("end needs a terminal status, was " + to);
    }
    ReservationMessage.Action message =
        to == ReservationStatus.EXPIRED
            ? ReservationMessage.Action.EXPIRE
            : ReservationMessage.Action.CANCEL;
    ReservationChanges changes =
        to == ReservationStatus.FAILED
            ? ReservationChanges.none().failureReason(reason)
            : ReservationChanges.none();
    return change(h, r, to, actor, reason, changes, STATUS_ACTION, details, message);
  }

  /**
   * Adds hours to a live reservation (and to its expiry time when it has one), clears the expiry
   * warnings already sent, writes a {@code reservation.extend} audit row and sends EXTEND, in one
   * transaction. Limits (maximum hours) are the caller's to check before.
   *
   * @throws ReservationStateException when the reservation already ended
   */
  public Reservation extend(UUID id, double additionalHours, String actor) {
    return extend(id, additionalHours, actor, r -> {});
  }

  /**
   * {@link #extend(UUID, double, String)}, after {@code check} accepted the locked row: the
   * caller's limits that depend on the row (e.g. total hours) throw from there.
   */
  public Reservation extend(
      UUID id, double additionalHours, String actor, Consumer<Reservation> check) {
    requireActor(actor);
    if (!(additionalHours > 0) || Double.isInfinite(additionalHours)) {
      throw new IllegalArgumentException("hours must be a positive number, was " + additionalHours);
    }
    return jdbi.inTransaction(
        h -> {
          Reservation r = lock(h, id);
          check.accept(r);
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
          details.put("hours", additionalHours);
          details.put("totalHours", stored.hours());
          details.put("owner", stored.username());
          if (stored.expiresAt() != null) {
            details.put("expiresAt", stored.expiresAt().toString());
          }
          pgmq.send(
              h,
              ReservationMessage.QUEUE,
              new ReservationMessage(id, ReservationMessage.Action.EXTEND));
          audit(h, actor, "reservation.extend", stored, details);
          return stored;
        });
  }

  private static Reservation lock(Handle h, UUID id) {
    return ReservationRows.findByIdForUpdate(h, id)
        .orElseThrow(() -> new ReservationNotFoundException(id));
  }

  /**
   * The one implementation of a status change: checks the move, writes the row (versioned), sends
   * {@code message} when there is one and writes the audit row last (its trigger holds the audit
   * chain's lock until the commit), all on the caller's handle.
   */
  private Ended change(
      Handle h,
      Reservation current,
      ReservationStatus to,
      String actor,
      String reason,
      ReservationChanges changes,
      String action,
      Map<String, ?> extraDetails,
      ReservationMessage.Action message) {
    ReservationStatus from = current.status();
    from.checkTransitionTo(to);
    Reservation stored =
        ReservationRows.update(h, changes.applyTo(current, to, now(), actor, reason));
    long messageId =
        message == null
            ? 0
            : pgmq.send(h, ReservationMessage.QUEUE, new ReservationMessage(current.id(), message));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("from", from.name());
    details.put("to", to.name());
    if (reason != null) {
      details.put("reason", reason);
    }
    details.putAll(extraDetails);
    if (message != null) {
      details.put("teardown", message.name());
      details.put("msgId", messageId);
    }
    audit(h, actor, action, stored, details);
    return new Ended(stored, messageId);
  }

  private static void audit(
      Handle h, String actor, String action, Reservation r, Map<String, Object> details) {
    AuditLog.append(
        h, actor, action, RESOURCE_TYPE, r.id().toString(), AuditEvent.SUCCESS, details);
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
