package dev.odc.api.service;

import dev.odc.api.ApiConfiguration.LimitsConfig;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.db.ApiQueries;
import dev.odc.api.errors.ApiException;
import dev.odc.core.Disk;
import dev.odc.core.ErrorCode;
import dev.odc.core.GpuType;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.core.api.CreateReservationRequest;
import dev.odc.core.api.Page;
import dev.odc.database.Cursor;
import dev.odc.database.GpuTypeDao;
import dev.odc.database.NewReservation;
import dev.odc.database.ReservationDao;
import dev.odc.database.ReservationNotFoundException;
import dev.odc.database.ReservationRows;
import dev.odc.database.Reservations;
import dev.odc.database.UserDao;
import dev.odc.database.pgmq.Pgmq;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Reservations as the API sees them: request validation, the limits and visibility rules, and error
 * answers. Every change goes through {@link Reservations}, which writes the row, one audit row and
 * one PGMQ message in one transaction: all three or none.
 */
public class ReservationService {
  /** The disk a reservation gets when the request names none. */
  public static final String DEFAULT_DISK_NAME = "home";

  private final Reservations reservations;
  private final ReservationDao rows;
  private final GpuTypeDao gpuTypes;
  private final UserDao users;
  private final LimitsConfig limits;
  private final String defaultImage;
  private final Clock clock;

  public ReservationService(Jdbi jdbi, LimitsConfig limits, String defaultImage, Clock clock) {
    this.reservations = new Reservations(jdbi, new Pgmq(jdbi), clock);
    this.rows = jdbi.onDemand(ReservationDao.class);
    this.gpuTypes = jdbi.onDemand(GpuTypeDao.class);
    this.users = jdbi.onDemand(UserDao.class);
    this.limits = limits;
    this.defaultImage = defaultImage;
    this.clock = clock;
  }

  /**
   * Validates the request, then creates the reservation through {@link Reservations#create}: the
   * API's limits, the GPU type check and the choice of disk run inside its transaction, under the
   * user's lock, so two requests of one user cannot both pass the GPU limit.
   */
  public Reservation create(OdcPrincipal caller, CreateReservationRequest request) {
    Validation.required(request, "body");
    String gpuTypeName = Validation.required(request.gpuType(), "gpuType");
    if (gpuTypeName.isBlank()) {
      throw ApiException.invalid("gpuType", "gpuType must not be blank: name a GPU type");
    }
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
    NewReservation wanted =
        new NewReservation(
            user.id(),
            user.username(),
            name,
            gpuTypeName,
            gpuCount,
            nodeCount,
            image,
            hours,
            null,
            labels);
    Reservations.Created created =
        reservations.create(
            wanted,
            caller.getName(),
            new Reservations.Admission() {
              @Override
              public String admit(Handle h, NewReservation req, Optional<GpuType> found) {
                return decide(h, req, found).diskName();
              }

              @Override
              public Reservations.Decision decide(
                  Handle handle, NewReservation req, Optional<GpuType> found) {
                GpuType type =
                    found.orElseThrow(
                        () ->
                            ApiException.invalid(
                                "gpuType",
                                "unknown GPU type '"
                                    + gpuTypeName
                                    + "'; known types: "
                                    + knownTypes()));
                checkFitsNode(type, gpuCount, nodeCount);
                int inUse;
                ReservationDao locked = handle.attach(ReservationDao.class);
                Optional<String> home = Optional.empty();
                if (diskRequest == null) {
                  ReservationRows.Usage usage =
                      ReservationRows.usage(handle, user.id(), DEFAULT_DISK_NAME);
                  inUse = usage.liveGpus();
                  home = usage.disk();
                } else {
                  inUse = locked.liveGpusOfUser(user.id());
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
                if (diskRequest == null) {
                  return defaultDisk(handle, locked, caller, home.isPresent());
                }
                return new Reservations.Decision(
                    resolveDisk(handle, locked, user, diskRequest), null);
              }
            });
    return withQueuePosition(created.reservation(), created.waitingAhead());
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
    return String.join(", ", gpuTypes.list().stream().map(GpuType::name).toList());
  }

  /**
   * The default disk for a request that names none: the user's {@value #DEFAULT_DISK_NAME} disk,
   * created here (in the reservation's transaction) on the user's first reservation; none, with a
   * note saying why, while another live reservation of the user holds it or when the user is at the
   * disk limit.
   */
  private Reservations.Decision defaultDisk(
      Handle handle, ReservationDao rows, OdcPrincipal caller, boolean exists) {
    UUID userId = caller.user().id();
    ApiQueries q = handle.attach(ApiQueries.class);
    if (exists) {
      Disk disk = q.lockDisk(userId, DEFAULT_DISK_NAME).orElseThrow();
      if (disk.inUse() || rows.liveCountUsingDisk(userId, DEFAULT_DISK_NAME) > 0) {
        return new Reservations.Decision(
            null,
            "no disk: your disk '"
                + DEFAULT_DISK_NAME
                + "' is in use by another of your reservations"
                + (disk.inUseBy() == null
                    ? ""
                    : " (" + disk.inUseBy().toString().substring(0, 8) + ")")
                + "; this one starts without a disk (name another with --disk)");
      }
      return new Reservations.Decision(DEFAULT_DISK_NAME, null);
    }
    int count = q.countDisks(userId);
    if (count >= limits.maxDisks) {
      return new Reservations.Decision(
          null,
          "no disk: you have "
              + count
              + " disks, the limit, and none is called '"
              + DEFAULT_DISK_NAME
              + "'; this one starts without a disk (name one with --disk)");
    }
    DiskService.insert(
        handle,
        caller,
        DEFAULT_DISK_NAME,
        limits.defaultDiskSizeGb,
        clock.instant(),
        Map.of("default", true));
    return new Reservations.Decision(DEFAULT_DISK_NAME, null);
  }

  private static String resolveDisk(
      Handle handle, ReservationDao rows, User user, String requested) {
    if (CreateReservationRequest.NO_DISK.equals(requested)) {
      return null;
    }
    Disk disk =
        handle
            .attach(ApiQueries.class)
            .findDisk(user.id(), requested)
            .orElseThrow(() -> ApiException.notFound("disk", requested));
    if (disk.inUse() || rows.liveCountUsingDisk(user.id(), disk.name()) > 0) {
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
    return withQueuePosition(resolve(caller, idOrPrefix));
  }

  private Reservation resolve(OdcPrincipal caller, String idOrPrefix) {
    String value = idOrPrefix == null ? "" : idOrPrefix.trim().toLowerCase(Locale.ROOT);
    Optional<Reservation> found;
    if (value.length() == 36) {
      UUID id;
      try {
        id = UUID.fromString(value);
      } catch (IllegalArgumentException e) {
        throw ApiException.notFound("reservation", idOrPrefix);
      }
      found = rows.findById(id).filter(r -> visible(caller, r));
    } else if (Validation.isShortId(value)) {
      List<Reservation> matches =
          rows.findByIdPrefixRows(value, caller.isAdmin() ? null : caller.user().id());
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
    Pages.cursor(cursor); // a bad cursor is the caller's error, answered before any query
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
          users
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
    return rows.list(userFilter, statusFilter == null ? null : List.of(statusFilter), cursor, size);
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
    Reservation target = resolve(caller, idOrPrefix);
    try {
      return reservations.cancel(
          target.id(),
          caller.getName(),
          "cancelled by " + caller.getName(),
          r -> {
            if (r.status().isTerminal()) {
              throw new ApiException(
                  ErrorCode.INVALID_STATE,
                  "reservation " + r.shortId() + " is already " + r.status(),
                  Map.of("status", r.status().name()));
            }
          });
    } catch (ReservationNotFoundException e) {
      throw ApiException.notFound("reservation", target.shortId());
    }
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
    Reservation target = resolve(caller, idOrPrefix);
    try {
      return reservations.extend(
          target.id(),
          hours,
          caller.getName(),
          r -> {
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
          });
    } catch (ReservationNotFoundException e) {
      throw ApiException.notFound("reservation", target.shortId());
    }
  }

  /** Waiting reservations get their place in line when the processor has not set one yet. */
  private Reservation withQueuePosition(Reservation r) {
    if (r.queuePosition() != null
        || (r.status() != ReservationStatus.PENDING && r.status() != ReservationStatus.QUEUED)) {
      return r;
    }
    return withQueuePosition(r, rows.waitingAhead(r.gpuType(), r.createdAt(), r.id()));
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
