package dev.odc.api.service;

import dev.odc.api.ApiConfiguration.LimitsConfig;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.db.ApiQueries;
import dev.odc.api.db.AuditLog;
import dev.odc.api.errors.ApiException;
import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.ErrorCode;
import dev.odc.core.GpuType;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.core.User;
import dev.odc.core.api.CreateReservationRequest;
import dev.odc.core.api.Page;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.Cursor;
import dev.odc.database.GpuTypeDao;
import dev.odc.database.UserDao;
import dev.odc.database.pgmq.Pgmq;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Reservations as the API sees them. Every change writes the row, one audit row and one PGMQ
 * message in one transaction: all three or none.
 */
public class ReservationService {
  /** The disk a reservation gets when the request names none. */
  public static final String DEFAULT_DISK_NAME = "home";

  private final Jdbi jdbi;
  private final Pgmq pgmq;
  private final LimitsConfig limits;
  private final String defaultImage;
  private final Clock clock;

  public ReservationService(Jdbi jdbi, LimitsConfig limits, String defaultImage, Clock clock) {
    this.jdbi = jdbi;
    this.pgmq = new Pgmq(jdbi);
    this.limits = limits;
    this.defaultImage = defaultImage;
    this.clock = clock;
  }

  public Reservation create(OdcPrincipal caller, CreateReservationRequest request) {
    Validation.required(request, "body");
    String gpuTypeName = Validation.required(request.gpuType(), "gpuType");
    int gpuCount = Validation.required(request.gpuCount(), "gpuCount");
    int nodeCount = request.nodeCount() == null ? 1 : request.nodeCount();
    double hours = Validation.hours(request.hours(), "hours");
    if (gpuCount < 1) {
      throw ApiException.invalid("gpuCount", "gpuCount must be at least 1");
    }
    if (nodeCount < 1 || nodeCount > limits.maxNodeCount) {
      throw ApiException.invalid(
          "nodeCount", "nodeCount must be between 1 and " + limits.maxNodeCount);
    }
    String name =
        request.name() == null
            ? "res-" + UUID.randomUUID().toString().substring(0, 8)
            : Validation.name(request.name(), "name");
    String image = request.image() == null ? defaultImage : Validation.image(request.image());
    Map<String, String> labels = Validation.labels(request.labels());
    String diskRequest = request.disk();
    if (diskRequest != null && !CreateReservationRequest.NO_DISK.equals(diskRequest)) {
      Validation.name(diskRequest, "disk");
    }
    if (hours > limits.maxHoursPerReservation) {
      throw ApiException.limit(
          "maxHoursPerReservation",
          limits.maxHoursPerReservation,
          "hours " + hours + " exceeds the limit of " + limits.maxHoursPerReservation);
    }
    if (hours > limits.maxTotalHours) {
      throw ApiException.limit(
          "maxTotalHours",
          limits.maxTotalHours,
          "hours " + hours + " exceeds the total limit of " + limits.maxTotalHours);
    }
    User user = caller.user();
    UUID id = UUID.randomUUID();
    Instant now = clock.instant();
    String labelsJson = AuditLog.toJson(labels);
    String historyJson =
        AuditLog.toJson(
            List.of(new StatusChange(ReservationStatus.PENDING, now, user.username(), null)));
    String messageJson =
        AuditLog.toJson(new ReservationMessage(id, ReservationMessage.Action.PROVISION));
    // Five round trips: lock + type, usage (+ default disk), insert (+ queue place), queue send +
    // audit row, commit. The audit row is the last statement, so the audit chain's lock is held
    // only for the commit.
    Reservation created =
        jdbi.inTransaction(
            handle -> {
              // Jdbi's core API: attaching the ApiQueries SqlObject costs more CPU per
              // transaction than these statements do (its handlers are rebuilt per handle).
              GpuType type =
                  handle
                      .createQuery(ApiQueries.LOCK_USER_AND_FIND_GPU_TYPE)
                      .bind("userId", user.id())
                      .bind("gpuType", gpuTypeName)
                      .mapTo(GpuType.class)
                      .findOne()
                      .orElseThrow(
                          () ->
                              ApiException.invalid(
                                  "gpuType",
                                  "unknown GPU type '"
                                      + gpuTypeName
                                      + "'; known types: "
                                      + knownTypes()));
              checkFitsNode(type, gpuCount, nodeCount);
              String diskName;
              int inUse;
              ApiQueries q = null;
              if (diskRequest == null) {
                Map.Entry<Integer, String> usage =
                    handle
                        .createQuery(ApiQueries.USAGE)
                        .bind("userId", user.id())
                        .bind("diskName", DEFAULT_DISK_NAME)
                        .map((rs, ctx) -> Map.entry(rs.getInt(1), nullToEmpty(rs.getString(2))))
                        .one();
                inUse = usage.getKey();
                diskName = usage.getValue().isEmpty() ? null : usage.getValue();
              } else {
                q = handle.attach(ApiQueries.class);
                inUse = q.liveGpus(user.id());
                diskName = null;
              }
              int asked = gpuCount * nodeCount;
              if (inUse + asked > limits.maxConcurrentGpus) {
                throw ApiException.limit(
                    "maxConcurrentGpus",
                    limits.maxConcurrentGpus,
                    "you hold "
                        + inUse
                        + " GPUs; "
                        + asked
                        + " more would exceed the limit of "
                        + limits.maxConcurrentGpus
                        + " concurrent GPUs");
              }
              if (q != null) {
                diskName = resolveDisk(q, user, diskRequest);
              }
              ApiQueries.Inserted inserted =
                  handle
                      .createQuery(ApiQueries.INSERT_RESERVATION_RETURNING)
                      .bind("id", id)
                      .bind("userId", user.id())
                      .bind("username", user.username())
                      .bind("name", name)
                      .bind("gpuType", type.name())
                      .bind("gpuCount", gpuCount)
                      .bind("nodeCount", nodeCount)
                      .bind("image", image)
                      .bind("hours", hours)
                      .bind("diskName", diskName)
                      .bind("labels", labelsJson)
                      .bind("status", ReservationStatus.PENDING.name())
                      .bind("createdAt", now)
                      .bind("history", historyJson)
                      .map(new ApiQueries.Inserted.Mapper())
                      .one();
              Map<String, Object> details = new LinkedHashMap<>();
              details.put("gpuType", type.name());
              details.put("gpuCount", gpuCount);
              details.put("nodeCount", nodeCount);
              details.put("hours", hours);
              if (diskName != null) {
                details.put("disk", diskName);
              }
              int audited =
                  handle
                      .createUpdate(ApiQueries.SEND_AND_AUDIT)
                      .bind("queue", ReservationMessage.QUEUE)
                      .bind("channel", Pgmq.channel(ReservationMessage.QUEUE))
                      .bind("message", messageJson)
                      .bind("actor", caller.getName())
                      .bind("action", "reservation.create")
                      .bind("resourceType", "reservation")
                      .bind("resourceId", id.toString())
                      .bind("outcome", AuditEvent.SUCCESS)
                      .bind("details", AuditLog.toJson(details))
                      .execute();
              if (audited != 1) {
                throw new IllegalStateException(
                    "queue send and audit row wrote " + audited + " rows, not 1");
              }
              return withQueuePosition(inserted.reservation(), inserted.waitingAhead());
            });
    return created;
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }

  private static void checkFitsNode(GpuType type, int gpuCount, int nodeCount) {
    if (gpuCount > type.gpusPerNode()) {
      throw ApiException.invalid(
          "gpuCount",
          "gpuCount "
              + gpuCount
              + " is more than one "
              + type.name()
              + " node has ("
              + type.gpusPerNode()
              + ")"
              + (nodeCount == 1 ? "; ask for several nodes with nodeCount" : " per node"));
    }
  }

  private String knownTypes() {
    return String.join(
        ", ", jdbi.onDemand(GpuTypeDao.class).list().stream().map(GpuType::name).toList());
  }

  private static String resolveDisk(ApiQueries q, User user, String requested) {
    if (CreateReservationRequest.NO_DISK.equals(requested)) {
      return null;
    }
    if (requested == null) {
      return q.findDisk(user.id(), DEFAULT_DISK_NAME).map(Disk::name).orElse(null);
    }
    Disk disk =
        q.findDisk(user.id(), requested)
            .orElseThrow(() -> ApiException.notFound("disk", requested));
    if (disk.inUse() || q.liveReservationsUsingDisk(user.id(), disk.name()) > 0) {
      throw new ApiException(
          ErrorCode.CONFLICT,
          "disk '" + requested + "' is used by another live reservation",
          Map.of("disk", requested));
    }
    return disk.name();
  }

  /**
   * The caller's reservation with this id or unique 8-character prefix. Another user's reservation
   * answers 404 like a missing one, so ids do not leak; admins see all.
   */
  public Reservation get(OdcPrincipal caller, String idOrPrefix) {
    return jdbi.withHandle(
        handle ->
            withQueuePosition(
                handle.attach(ApiQueries.class), resolve(handle, caller, idOrPrefix)));
  }

  private Reservation resolve(Handle handle, OdcPrincipal caller, String idOrPrefix) {
    ApiQueries q = handle.attach(ApiQueries.class);
    String value = idOrPrefix == null ? "" : idOrPrefix.trim().toLowerCase(Locale.ROOT);
    Optional<Reservation> found;
    if (value.length() == 36) {
      UUID id;
      try {
        id = UUID.fromString(value);
      } catch (IllegalArgumentException e) {
        throw ApiException.notFound("reservation", idOrPrefix);
      }
      found = q.findReservation(id).filter(r -> visible(caller, r));
    } else if (Validation.isShortId(value)) {
      List<Reservation> matches =
          q.findReservationsByPrefix(value, caller.isAdmin() ? null : caller.user().id());
      if (matches.size() > 1) {
        throw new ApiException(
            ErrorCode.CONFLICT,
            "id prefix '" + value + "' matches several reservations; use the full id");
      }
      found = matches.stream().findFirst();
    } else {
      found = Optional.empty();
    }
    return found.orElseThrow(() -> ApiException.notFound("reservation", idOrPrefix));
  }

  private static boolean visible(OdcPrincipal caller, Reservation r) {
    return caller.isAdmin() || r.userId().equals(caller.user().id());
  }

  public Page<Reservation> list(
      OdcPrincipal caller, String user, boolean all, String status, String cursor, Integer limit) {
    int size = Pages.limit(limit);
    Cursor after = Pages.cursor(cursor);
    ReservationStatus statusFilter = null;
    if (status != null && !status.isBlank()) {
      try {
        statusFilter = ReservationStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid("status", "unknown status '" + status + "'");
      }
    }
    UUID userFilter;
    if (user != null && !user.isBlank()) {
      if (!caller.isAdmin() && !user.equals(caller.getName())) {
        throw new ApiException(
            ErrorCode.FORBIDDEN, "only admins may list other users' reservations");
      }
      userFilter =
          jdbi.onDemand(UserDao.class)
              .findByUsername(user)
              .map(User::id)
              // an unknown user has no reservations; an empty page says so
              .orElse(new UUID(0, 0));
    } else if (all) {
      if (!caller.isAdmin()) {
        throw new ApiException(ErrorCode.FORBIDDEN, "only admins may list all reservations");
      }
      userFilter = null;
    } else {
      userFilter = caller.user().id();
    }
    String statusName = statusFilter == null ? null : statusFilter.name();
    List<Reservation> rows =
        jdbi.withExtension(
            ApiQueries.class,
            q ->
                q.listReservations(
                    userFilter,
                    statusName,
                    after == null ? null : after.createdAt(),
                    after == null ? null : after.id(),
                    size + 1));
    return page(rows, size);
  }

  static Page<Reservation> page(List<Reservation> rows, int size) {
    if (rows.size() <= size) {
      return new Page<>(rows, null);
    }
    List<Reservation> items = rows.subList(0, size);
    Reservation last = items.get(size - 1);
    return new Page<>(items, new Cursor(last.createdAt(), last.id()).encode());
  }

  public Reservation cancel(OdcPrincipal caller, String idOrPrefix) {
    return jdbi.inTransaction(
        handle -> {
          ApiQueries q = handle.attach(ApiQueries.class);
          Reservation r = locked(q, resolve(handle, caller, idOrPrefix));
          if (r.status().isTerminal()) {
            throw new ApiException(
                ErrorCode.INVALID_STATE,
                "reservation " + r.shortId() + " is already " + r.status(),
                Map.of("status", r.status().name()));
          }
          Instant now = clock.instant();
          StatusChange change =
              new StatusChange(
                  ReservationStatus.CANCELLED,
                  now,
                  caller.getName(),
                  "cancelled by " + caller.getName());
          q.endReservation(
              r.id(),
              r.version(),
              ReservationStatus.CANCELLED.name(),
              now,
              AuditLog.toJson(List.of(change)));
          AuditLog.record(
              q,
              caller.getName(),
              "reservation.cancel",
              "reservation",
              r.id().toString(),
              AuditEvent.SUCCESS,
              Map.of("from", r.status().name(), "owner", r.username()));
          pgmq.send(
              handle,
              ReservationMessage.QUEUE,
              new ReservationMessage(r.id(), ReservationMessage.Action.CANCEL));
          return q.findReservation(r.id()).orElseThrow();
        });
  }

  public Reservation extend(OdcPrincipal caller, String idOrPrefix, Double requestedHours) {
    double hours = Validation.hours(requestedHours, "hours");
    if (hours > limits.maxHoursPerReservation) {
      throw ApiException.limit(
          "maxHoursPerReservation",
          limits.maxHoursPerReservation,
          "an extension of "
              + hours
              + " hours exceeds the limit of "
              + limits.maxHoursPerReservation);
    }
    return jdbi.inTransaction(
        handle -> {
          ApiQueries q = handle.attach(ApiQueries.class);
          Reservation r = locked(q, resolve(handle, caller, idOrPrefix));
          if (r.status().isTerminal()) {
            throw new ApiException(
                ErrorCode.INVALID_STATE,
                "reservation " + r.shortId() + " is " + r.status() + " and cannot be extended",
                Map.of("status", r.status().name()));
          }
          if (r.hours() + hours > limits.maxTotalHours) {
            throw ApiException.limit(
                "maxTotalHours",
                limits.maxTotalHours,
                "extending by "
                    + hours
                    + " hours would make "
                    + (r.hours() + hours)
                    + " hours, above the limit of "
                    + limits.maxTotalHours);
          }
          q.extendReservation(r.id(), r.version(), hours);
          AuditLog.record(
              q,
              caller.getName(),
              "reservation.extend",
              "reservation",
              r.id().toString(),
              AuditEvent.SUCCESS,
              Map.of("hours", hours, "totalHours", r.hours() + hours, "owner", r.username()));
          pgmq.send(
              handle,
              ReservationMessage.QUEUE,
              new ReservationMessage(r.id(), ReservationMessage.Action.EXTEND));
          return q.findReservation(r.id()).orElseThrow();
        });
  }

  private static Reservation locked(ApiQueries q, Reservation r) {
    return q.lockReservation(r.id())
        .orElseThrow(() -> ApiException.notFound("reservation", r.shortId()));
  }

  /** Waiting reservations get their place in line when the processor has not set one yet. */
  private static Reservation withQueuePosition(ApiQueries q, Reservation r) {
    if (r.queuePosition() != null
        || (r.status() != ReservationStatus.PENDING && r.status() != ReservationStatus.QUEUED)) {
      return r;
    }
    return withQueuePosition(r, q.waitingAhead(r.gpuType(), r.createdAt(), r.id()));
  }

  private static Reservation withQueuePosition(Reservation r, int waitingAhead) {
    if (r.queuePosition() != null
        || (r.status() != ReservationStatus.PENDING && r.status() != ReservationStatus.QUEUED)) {
      return r;
    }
    int position = waitingAhead + 1;
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
        r.estimatedStartAt(),
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
}
