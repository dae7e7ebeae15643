package dev.odc.database;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.api.Page;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The {@code reservations} table. Status changes that need an audit row and a queue message go
 * through {@link Reservations}; this DAO is the row access underneath it.
 *
 * <p>Every update checks and bumps {@code version}: {@link #update} throws {@link
 * StaleUpdateException} instead of overwriting a concurrent change.
 */
public interface ReservationDao extends SqlObject {
  String COLUMNS =
      "id, user_id, username, name, gpu_type, gpu_count, node_count, image, hours, disk_name,"
          + " labels, status, failure_reason, queue_position, estimated_start_at, namespace,"
          + " pod_name, node_name, ssh_host, ssh_port, created_at, started_at, expires_at,"
          + " ended_at, warnings_sent, status_history, version";

  String LIVE = "('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE')";

  /** Inserts a new row; its {@code version} is stored as given (0 for a new reservation). */
  default void insert(Reservation r) {
    insertRow(
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
        Mappers.toJson(r.labels()),
        r.status().name(),
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
        r.expiresAt(),
        r.endedAt(),
        r.warningsSent().toArray(Integer[]::new),
        Mappers.toJson(r.statusHistory()),
        r.version());
  }

  @SqlUpdate(
      "insert into reservations (id, user_id, username, name, gpu_type, gpu_count, node_count,"
          + " image, hours, disk_name, labels, status, failure_reason, queue_position,"
          + " estimated_start_at, namespace, pod_name, node_name, ssh_host, ssh_port, created_at,"
          + " started_at, expires_at, ended_at, warnings_sent, status_history, version) values"
          + " (:id, :userId, :username, :name, :gpuType, :gpuCount, :nodeCount, :image, :hours,"
          + " :diskName, cast(:labels as jsonb), :status, :failureReason, :queuePosition,"
          + " :estimatedStartAt, :namespace, :podName, :nodeName, :sshHost, :sshPort, :createdAt,"
          + " :startedAt, :expiresAt, :endedAt, :warningsSent, cast(:statusHistory as jsonb),"
          + " :version)")
  void insertRow(
      @Bind("id") UUID id,
      @Bind("userId") UUID userId,
      @Bind("username") String username,
      @Bind("name") String name,
      @Bind("gpuType") String gpuType,
      @Bind("gpuCount") int gpuCount,
      @Bind("nodeCount") int nodeCount,
      @Bind("image") String image,
      @Bind("hours") double hours,
      @Bind("diskName") String diskName,
      @Bind("labels") String labelsJson,
      @Bind("status") String status,
      @Bind("failureReason") String failureReason,
      @Bind("queuePosition") Integer queuePosition,
      @Bind("estimatedStartAt") Instant estimatedStartAt,
      @Bind("namespace") String namespace,
      @Bind("podName") String podName,
      @Bind("nodeName") String nodeName,
      @Bind("sshHost") String sshHost,
      @Bind("sshPort") Integer sshPort,
      @Bind("createdAt") Instant createdAt,
      @Bind("startedAt") Instant startedAt,
      @Bind("expiresAt") Instant expiresAt,
      @Bind("endedAt") Instant endedAt,
      @Bind("warningsSent") Integer[] warningsSent,
      @Bind("statusHistory") String statusHistoryJson,
      @Bind("version") long version);

  /**
   * Writes every mutable column of {@code r} if the row still has {@code r.version()}, and bumps
   * the version.
   *
   * @return the row as stored, with {@code version() == r.version() + 1}
   * @throws StaleUpdateException when the row changed since {@code r} was read (or is gone)
   */
  default Reservation update(Reservation r) {
    return ReservationRows.update(getHandle(), r);
  }

  @SqlQuery(ReservationRows.BY_ID)
  Optional<Reservation> findById(@Bind("id") UUID id);

  /** Like {@link #findById}, locking the row until the transaction ends. */
  @SqlQuery(ReservationRows.BY_ID_FOR_UPDATE)
  Optional<Reservation> findByIdForUpdate(@Bind("id") UUID id);

  /**
   * Finds a reservation by the start of its id, as the CLI shows it ({@link Reservation#shortId()},
   * 8 characters) or longer.
   *
   * @return empty when nothing matches
   * @throws IllegalArgumentException when the prefix is shorter than 8 characters, not part of a
   *     UUID, or matches more than one reservation
   */
  default Optional<Reservation> findByIdPrefix(String prefix) {
    if (prefix == null || prefix.length() < 8 || !prefix.matches("[0-9a-fA-F-]{8,36}")) {
      throw new IllegalArgumentException(
          "reservation id prefix must be at least 8 characters of a UUID, was '" + prefix + "'");
    }
    List<Reservation> matches = findByIdPrefixRows(prefix.toLowerCase(java.util.Locale.ROOT));
    if (matches.size() > 1) {
      throw new IllegalArgumentException(
          "reservation id prefix '" + prefix + "' is ambiguous: give more characters");
    }
    return matches.stream().findFirst();
  }

  default List<Reservation> findByIdPrefixRows(String prefix) {
    return findByIdPrefixRows(prefix, null);
  }

  /**
   * At most two reservations whose id starts with {@code prefix} (lower-case), of one user or of
   * everyone when {@code userId} is null: two say the prefix is ambiguous.
   */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from reservations where id::text like :prefix || '%'"
          + " and (cast(:userId as uuid) is null or user_id = :userId) order by id limit 2")
  List<Reservation> findByIdPrefixRows(
      @Bind("prefix") String prefix, @Bind("userId") UUID userIdOrNull);

  /**
   * One page of reservations, newest first.
   *
   * @param userId only this user's, or everyone's when null
   * @param statuses only these statuses, or all when null or empty
   * @param cursor {@link Page#nextCursor()} of the previous page, or null for the first
   * @param limit page size, 1 to 500
   */
  default Page<Reservation> list(
      UUID userId, Collection<ReservationStatus> statuses, String cursor, int limit) {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be between 1 and 500, was " + limit);
    }
    Cursor after = Cursor.decodeNullable(cursor);
    String[] statusNames =
        statuses == null || statuses.isEmpty()
            ? null
            : statuses.stream().map(ReservationStatus::name).toArray(String[]::new);
    List<Reservation> rows =
        listRows(
            userId,
            statusNames,
            after == null ? null : after.createdAt(),
            after == null ? null : after.id(),
            limit + 1);
    if (rows.size() <= limit) {
      return new Page<>(rows, null);
    }
    Reservation last = rows.get(limit - 1);
    return new Page<>(rows.subList(0, limit), new Cursor(last.createdAt(), last.id()).encode());
  }

  @SqlQuery(
      "select "
          + COLUMNS
          + " from reservations"
          + " where (cast(:userId as uuid) is null or user_id = :userId)"
          + " and (cast(:statuses as text[]) is null or status = any(:statuses))"
          + " and (cast(:afterAt as timestamptz) is null or (created_at, id) < (:afterAt, :afterId))"
          + " order by created_at desc, id desc limit :limit")
  List<Reservation> listRows(
      @Bind("userId") UUID userId,
      @Bind("statuses") String[] statuses,
      @Bind("afterAt") Instant afterAt,
      @Bind("afterId") UUID afterId,
      @Bind("limit") int limit);

  /** GPUs the user holds or waits for: the sum of gpu_count × node_count over live rows. */
  @SqlQuery(
      "select coalesce(sum(gpu_count * node_count), 0) from reservations"
          + " where user_id = :userId and status in "
          + LIVE)
  int liveGpusOfUser(@Bind("userId") UUID userId);

  /** How many live reservations the user has. */
  @SqlQuery("select count(*) from reservations where user_id = :userId and status in " + LIVE)
  int liveCountOfUser(@Bind("userId") UUID userId);

  /**
   * Live reservations of the user that name the disk: it must not be deleted or lent under them.
   */
  @SqlQuery(
      "select count(*) from reservations where user_id = :userId and disk_name = :name"
          + " and status in "
          + LIVE)
  int liveCountUsingDisk(@Bind("userId") UUID userId, @Bind("name") String diskName);

  /** Renames the disk in the user's waiting reservations, which will still use it. */
  @SqlUpdate(
      "update reservations set disk_name = :newName where user_id = :userId"
          + " and disk_name = :oldName and status in ('PENDING', 'QUEUED')")
  int renameDiskInWaiting(
      @Bind("userId") UUID userId,
      @Bind("oldName") String oldName,
      @Bind("newName") String newName);

  /** How many waiting (PENDING, QUEUED) reservations of the type were created before this one. */
  @SqlQuery(
      "select count(*) from reservations where gpu_type = :gpuType"
          + " and status in ('PENDING', 'QUEUED') and (created_at, id) < (:createdAt, :id)")
  int waitingAhead(
      @Bind("gpuType") String gpuType, @Bind("createdAt") Instant createdAt, @Bind("id") UUID id);

  /** Per GPU type, how many reservations wait for capacity (PENDING, QUEUED). */
  @SqlQuery(
      "select gpu_type as gputype, count(*) as waiting from reservations"
          + " where status in ('PENDING', 'QUEUED') group by gpu_type")
  @RegisterConstructorMapper(Waiting.class)
  List<Waiting> waitingByGpuType();

  /** A count of waiting reservations for one GPU type. */
  record Waiting(String gpuType, int waiting) {}

  /** Reservations in one status, oldest first. */
  @SqlQuery(
      "select " + COLUMNS + " from reservations where status = :status order by created_at, id")
  List<Reservation> listInStatus(@Bind("status") ReservationStatus status);

  /** ACTIVE reservations of one GPU type, the soonest to expire first. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from reservations where gpu_type = :gpuType and status = 'ACTIVE'"
          + " order by expires_at, id")
  List<Reservation> listActiveByGpuType(@Bind("gpuType") String gpuType);

  /** Live reservations of every type, in queue order. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from reservations where status in "
          + LIVE
          + " order by created_at, id")
  List<Reservation> listLive();

  /** ACTIVE reservations whose {@code expires_at} is before {@code before}, soonest first. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from reservations where status = 'ACTIVE' and expires_at < :before"
          + " order by expires_at, id")
  List<Reservation> listActiveExpiringBefore(@Bind("before") Instant before);

  /**
   * Records that the warning {@code minutesBefore} expiry was sent, once: a second call for the
   * same threshold changes nothing and returns false. Bumps the version, since it changes the row.
   */
  @SqlUpdate(
      "update reservations set warnings_sent = array_append(warnings_sent, :minutes),"
          + " version = version + 1"
          + " where id = :id and not (:minutes = any(warnings_sent))")
  boolean markWarningSent(@Bind("id") UUID id, @Bind("minutes") int minutesBefore);

  /**
   * Claims the row for one processor instance: succeeds when nobody holds it, the caller already
   * holds it (renewal), or the holder's lease ran out. Does not bump the version.
   */
  default boolean acquireLease(UUID id, String holder, Duration ttl) {
    return ReservationRows.acquireLease(getHandle(), id, holder, ttl);
  }

  /** Gives up the caller's lease. @return false when the caller did not hold it */
  default boolean releaseLease(UUID id, String holder) {
    return ReservationRows.releaseLease(getHandle(), id, holder);
  }

  /** The current lease holder, if the lease has not run out. */
  @SqlQuery(
      "select lease_holder from reservations where id = :id and lease_holder is not null"
          + " and lease_expires_at >= now()")
  Optional<String> leaseHolder(@Bind("id") UUID id);

  /** Live reservations whose lease ran out: their holder died mid-work. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from reservations where lease_holder is not null and lease_expires_at < now()"
          + " and status in "
          + LIVE
          + " order by lease_expires_at")
  List<Reservation> listWithExpiredLease();
}
