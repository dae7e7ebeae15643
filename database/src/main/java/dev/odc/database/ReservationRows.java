package dev.odc.database;

import dev.odc.core.Reservation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The reservation row operations every reservation goes through several times (read by id, read for
 * update, versioned update, leases, the placement list), on Jdbi's core API inside the caller's
 * handle. {@link ReservationDao} answers the same SQL, but a SqlObject attached per call (as {@code
 * onDemand} and {@code attach} do) builds a handler for each of the DAO's methods every time: in a
 * profile of the processor that was a tenth of all CPU. {@link ReservationDao} uses these
 * statements too, so both read and write rows the same way.
 */
public final class ReservationRows {
  static final String BY_ID =
      "select " + ReservationDao.COLUMNS + " from reservations where id = :id";

  static final String BY_ID_FOR_UPDATE = BY_ID + " for update";

  static final String UPDATE =
      "update reservations set hours = :hours, disk_name = :diskName,"
          + " labels = cast(:labels as jsonb), status = :status, failure_reason = :failureReason,"
          + " queue_position = :queuePosition, estimated_start_at = :estimatedStartAt,"
          + " namespace = :namespace, pod_name = :podName, node_name = :nodeName,"
          + " ssh_host = :sshHost, ssh_port = :sshPort, started_at = :startedAt,"
          + " expires_at = :expiresAt, ended_at = :endedAt, warnings_sent = :warningsSent,"
          + " status_history = cast(:statusHistory as jsonb), version = version + 1"
          + " where id = :id and version = :version returning "
          + ReservationDao.COLUMNS;

  static final String STARTING_BY_GPU_TYPE =
      "select id, user_id, status, gpu_count, node_count, created_at, version"
          + " from reservations where gpu_type = :gpuType"
          + " and status in ('PENDING', 'QUEUED', 'PREPARING')"
          + " order by created_at, id";

  static final String ACQUIRE_LEASE =
      "update reservations set lease_holder = :holder,"
          + " lease_expires_at = now() + make_interval(secs => :ttlMillis / 1000.0)"
          + " where id = :id and (lease_holder is null or lease_holder = :holder"
          + " or lease_expires_at < now())";

  static final String RELEASE_LEASE =
      "update reservations set lease_holder = null, lease_expires_at = null"
          + " where id = :id and lease_holder = :holder";

  static final String USAGE =
      "select (select coalesce(sum(gpu_count * node_count), 0) from reservations"
          + " where user_id = :userId and status in "
          + ReservationDao.LIVE
          + ") as livegpus,"
          + " (select name from disks where user_id = :userId and name = :diskName"
          + " and deleted_at is null) as disk";

  private ReservationRows() {}

  /** GPUs a user holds or waits for, and whether the user has a live disk of some name. */
  public record Usage(int liveGpus, Optional<String> disk) {}

  /**
   * The GPUs held or awaited by the user's live reservations and the user's live disk called {@code
   * diskName} (empty when there is none), in one round trip.
   */
  public static Usage usage(Handle h, UUID userId, String diskName) {
    return h.createQuery(USAGE)
        .bind("userId", userId)
        .bind("diskName", diskName)
        .map((rs, ctx) -> new Usage(rs.getInt(1), Optional.ofNullable(rs.getString(2))))
        .one();
  }

  public static Optional<Reservation> findById(Handle h, UUID id) {
    return h.createQuery(BY_ID).bind("id", id).mapTo(Reservation.class).findOne();
  }

  /** Like {@link #findById}, locking the row until the transaction ends. */
  public static Optional<Reservation> findByIdForUpdate(Handle h, UUID id) {
    return h.createQuery(BY_ID_FOR_UPDATE).bind("id", id).mapTo(Reservation.class).findOne();
  }

  /**
   * Writes every mutable field of {@code r} if the row still has {@code r.version()}.
   *
   * @return the row as stored, with {@code version() == r.version() + 1}
   * @throws StaleUpdateException when the row changed since {@code r} was read (or is gone)
   */
  public static Reservation update(Handle h, Reservation r) {
    return h.createQuery(UPDATE)
        .bind("id", r.id())
        .bind("version", r.version())
        .bind("hours", r.hours())
        .bind("diskName", r.diskName())
        .bind("labels", Mappers.toJson(r.labels()))
        .bind("status", r.status().name())
        .bind("failureReason", r.failureReason())
        .bindByType("queuePosition", r.queuePosition(), Integer.class)
        .bindByType("estimatedStartAt", r.estimatedStartAt(), Instant.class)
        .bind("namespace", r.namespace())
        .bind("podName", r.podName())
        .bind("nodeName", r.nodeName())
        .bind("sshHost", r.sshHost())
        .bindByType("sshPort", r.sshPort(), Integer.class)
        .bindByType("startedAt", r.startedAt(), Instant.class)
        .bindByType("expiresAt", r.expiresAt(), Instant.class)
        .bindByType("endedAt", r.endedAt(), Instant.class)
        .bindByType("warningsSent", r.warningsSent().toArray(Integer[]::new), Integer[].class)
        .bind("statusHistory", Mappers.toJson(r.statusHistory()))
        .mapTo(Reservation.class)
        .findOne()
        .orElseThrow(() -> new StaleUpdateException("reservation", r.id(), r.version()));
  }

  /**
   * The reservations of one GPU type that wait for GPUs or are being given them (PENDING, QUEUED,
   * PREPARING), oldest first: what a placement decision needs, without the ACTIVE ones, which
   * usually far outnumber them.
   */
  public static List<QueueEntry> listStartingByGpuType(Handle h, String gpuType) {
    return h.createQuery(STARTING_BY_GPU_TYPE)
        .bind("gpuType", gpuType)
        .mapTo(QueueEntry.class)
        .list();
  }

  /**
   * Claims the row for one processor instance: succeeds when nobody holds it, the caller already
   * holds it (renewal), or the holder's lease ran out. Does not bump the version.
   */
  public static boolean acquireLease(Handle h, UUID id, String holder, Duration ttl) {
    if (holder == null || holder.isBlank()) {
      throw new IllegalArgumentException("holder must not be blank");
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
    return h.createUpdate(ACQUIRE_LEASE)
            .bind("id", id)
            .bind("holder", holder)
            .bind("ttlMillis", ttl.toMillis())
            .execute()
        > 0;
  }

  /** Gives up the caller's lease. @return false when the caller did not hold it */
  public static boolean releaseLease(Handle h, UUID id, String holder) {
    return h.createUpdate(RELEASE_LEASE).bind("id", id).bind("holder", holder).execute() > 0;
  }
}
