package dev.odc.api.db;

import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Reservation;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The queries the API needs beyond the database module's DAOs. Row mappers for the core records
 * come from {@link dev.odc.database.Database#configure}. Used inside transactions by the services.
 */
public interface ApiQueries {

  // ---- audit

  /** Appends one audit row; the table's trigger assigns id, time and the hash chain. */
  @SqlUpdate(
      "insert into audit_log (actor, action, resource_type, resource_id, outcome, details)"
          + " values (:actor, :action, :resourceType, :resourceId, :outcome,"
          + " cast(:details as jsonb))")
  void audit(
      @Bind("actor") String actor,
      @Bind("action") String action,
      @Bind("resourceType") String resourceType,
      @Bind("resourceId") String resourceId,
      @Bind("outcome") String outcome,
      @Bind("details") String detailsJson);

  /** Audit rows matching the filters, newest first, ids below {@code beforeId}. */
  @SqlQuery(
      "select * from audit_log where id < :beforeId"
          + " and (cast(:actor as text) is null or actor = :actor)"
          + " and (cast(:action as text) is null or action = :action)"
          + " and (cast(:resourceType as text) is null or resource_type = :resourceType)"
          + " and (cast(:resourceId as text) is null or resource_id = :resourceId)"
          + " and (cast(:outcome as text) is null or outcome = :outcome)"
          + " and (cast(:since as timestamptz) is null or at >= :since)"
          + " and (cast(:until as timestamptz) is null or at < :until)"
          + " order by id desc limit :limit")
  List<AuditEvent> findAudit(
      @Bind("beforeId") long beforeId,
      @Bind("actor") String actor,
      @Bind("action") String action,
      @Bind("resourceType") String resourceType,
      @Bind("resourceId") String resourceId,
      @Bind("outcome") String outcome,
      @Bind("since") Instant since,
      @Bind("until") Instant until,
      @Bind("limit") int limit);

  /**
   * A slice of the chain in id order with the hash recomputed from the row's content, for {@code
   * GET /v1/audit/verify}.
   */
  @SqlQuery(
      "select id, prev_hash as prevhash, hash, odc_audit_hash(prev_hash, id, at, actor, action,"
          + " resource_type, resource_id, outcome, details) as expected"
          + " from audit_log where id > :afterId order by id limit :limit")
  @RegisterConstructorMapper(ChainRow.class)
  List<ChainRow> chainSlice(@Bind("afterId") long afterId, @Bind("limit") int limit);

  /** One audit row as the chain check sees it. */
  record ChainRow(long id, String prevHash, String hash, String expected) {}

  // ---- reservations

  @SqlUpdate(
      "insert into reservations (id, user_id, username, name, gpu_type, gpu_count, node_count,"
          + " image, hours, disk_name, labels, status, created_at, status_history, version)"
          + " values (:id, :userId, :username, :name, :gpuType, :gpuCount, :nodeCount, :image,"
          + " :hours, :diskName, cast(:labels as jsonb), :status, :createdAt,"
          + " cast(:history as jsonb), 0)")
  void insertReservation(
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
      @Bind("createdAt") Instant createdAt,
      @Bind("history") String historyJson);

  /**
   * Inserts a new PENDING reservation and answers the row as stored, with the number of waiting
   * reservations of its type created before it (its place in line), in one round trip. Map with
   * {@link Inserted.Mapper}. Used through Jdbi's core API (no SqlObject attach) on the hot path.
   */
  String INSERT_RESERVATION_RETURNING =
      "insert into reservations (id, user_id, username, name, gpu_type, gpu_count, node_count,"
          + " image, hours, disk_name, labels, status, created_at, status_history, version)"
          + " values (:id, :userId, :username, :name, :gpuType, :gpuCount, :nodeCount, :image,"
          + " :hours, :diskName, cast(:labels as jsonb), :status, :createdAt,"
          + " cast(:history as jsonb), 0)"
          + " returning *, (select count(*) from reservations w where w.gpu_type = :gpuType"
          + " and w.status in ('PENDING', 'QUEUED')"
          + " and (w.created_at, w.id) < (:createdAt, :id)) as odc_waiting_ahead";

  /** A reservation as inserted, and how many waiting reservations of its type are ahead of it. */
  record Inserted(Reservation reservation, int waitingAhead) {
    /** Maps the row with the registered {@link Reservation} mapper. */
    public static final class Mapper implements RowMapper<Inserted> {
      @Override
      public Inserted map(ResultSet rs, StatementContext ctx) throws SQLException {
        Reservation r =
            ctx.findRowMapperFor(Reservation.class)
                .orElseThrow(() -> new IllegalStateException("no Reservation row mapper"))
                .map(rs, ctx);
        return new Inserted(r, rs.getInt("odc_waiting_ahead"));
      }
    }
  }

  /**
   * Sends one queue message (with its {@code pg_notify}) and appends one audit row, in one
   * statement; binds {@code queue, channel, message, actor, action, resourceType, resourceId,
   * outcome, details}. The audit row comes last on purpose: its trigger takes the chain's advisory
   * lock, which then lasts only until the commit that follows. Updates one row.
   */
  String SEND_AND_AUDIT =
      "insert into audit_log (actor, action, resource_type, resource_id, outcome, details)"
          + " select :actor, :action, :resourceType, :resourceId, :outcome,"
          + " cast(:details as jsonb)"
          + " from (select pgmq.send(:queue, cast(:message as jsonb), 0) as msg_id) s,"
          + " lateral (select pg_notify(:channel, '')) n";

  @SqlQuery("select * from reservations where id = :id")
  Optional<Reservation> findReservation(@Bind("id") UUID id);

  @SqlQuery("select * from reservations where id = :id for update")
  Optional<Reservation> lockReservation(@Bind("id") UUID id);

  /** Reservations whose id starts with {@code prefix} (lower-case hex), at most two. */
  @SqlQuery(
      "select * from reservations where id::text like :prefix || '%'"
          + " and (cast(:userId as uuid) is null or user_id = :userId) limit 2")
  List<Reservation> findReservationsByPrefix(
      @Bind("prefix") String prefix, @Bind("userId") UUID userIdOrNull);

  /** Keyset page, newest first; user and status filters are optional (null). */
  @SqlQuery(
      "select * from reservations where (cast(:userId as uuid) is null or user_id = :userId)"
          + " and (cast(:status as text) is null or status = :status)"
          + " and (cast(:afterCreatedAt as timestamptz) is null"
          + " or (created_at, id) < (:afterCreatedAt, :afterId))"
          + " order by created_at desc, id desc limit :limit")
  List<Reservation> listReservations(
      @Bind("userId") UUID userIdOrNull,
      @Bind("status") String statusOrNull,
      @Bind("afterCreatedAt") Instant afterCreatedAt,
      @Bind("afterId") UUID afterId,
      @Bind("limit") int limit);

  /** GPUs held or awaited by the user's live reservations. */
  @SqlQuery(
      "select coalesce(sum(gpu_count * node_count), 0) from reservations where user_id = :userId"
          + " and status in ('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE')")
  int liveGpus(@Bind("userId") UUID userId);

  @SqlQuery(
      "select count(*) from reservations where user_id = :userId"
          + " and status in ('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE')")
  int liveReservations(@Bind("userId") UUID userId);

  /** Per GPU type, how many reservations wait for capacity. */
  @SqlQuery(
      "select gpu_type as gputype, count(*) as waiting from reservations"
          + " where status in ('PENDING', 'QUEUED') group by gpu_type")
  @RegisterConstructorMapper(Waiting.class)
  List<Waiting> waitingByGpuType();

  /** A count of waiting reservations for one GPU type. */
  record Waiting(String gpuType, int waiting) {}

  /** How many live reservations of the type were created before this one (its queue place). */
  @SqlQuery(
      "select count(*) from reservations where gpu_type = :gpuType"
          + " and status in ('PENDING', 'QUEUED') and (created_at, id) < (:createdAt, :id)")
  int waitingAhead(
      @Bind("gpuType") String gpuType, @Bind("createdAt") Instant createdAt, @Bind("id") UUID id);

  @SqlUpdate(
      "update reservations set status = :status, ended_at = :at, queue_position = null,"
          + " status_history = status_history || cast(:change as jsonb), version = version + 1"
          + " where id = :id and version = :version")
  int endReservation(
      @Bind("id") UUID id,
      @Bind("version") long version,
      @Bind("status") String status,
      @Bind("at") Instant at,
      @Bind("change") String statusChangeJson);

  @SqlUpdate(
      "update reservations set hours = hours + :hours,"
          + " expires_at = expires_at + make_interval(secs => :hours * 3600),"
          + " warnings_sent = '{}', version = version + 1"
          + " where id = :id and version = :version")
  int extendReservation(
      @Bind("id") UUID id, @Bind("version") long version, @Bind("hours") double hours);

  // ---- disks

  @SqlQuery("select * from disks where user_id = :userId and name = :name and deleted_at is null")
  Optional<Disk> findDisk(@Bind("userId") UUID userId, @Bind("name") String name);

  @SqlQuery(
      "select * from disks where user_id = :userId and name = :name and deleted_at is null"
          + " for update")
  Optional<Disk> lockDisk(@Bind("userId") UUID userId, @Bind("name") String name);

  @SqlQuery(
      "select * from disks where (cast(:userId as uuid) is null or user_id = :userId)"
          + " and deleted_at is null"
          + " and (cast(:afterCreatedAt as timestamptz) is null"
          + " or (created_at, id) < (:afterCreatedAt, :afterId))"
          + " order by created_at desc, id desc limit :limit")
  List<Disk> listDisks(
      @Bind("userId") UUID userIdOrNull,
      @Bind("afterCreatedAt") Instant afterCreatedAt,
      @Bind("afterId") UUID afterId,
      @Bind("limit") int limit);

  @SqlQuery("select count(*) from disks where user_id = :userId and deleted_at is null")
  int countDisks(@Bind("userId") UUID userId);

  @SqlUpdate(
      "insert into disks (id, user_id, name, size_gb, created_at)"
          + " values (:id, :userId, :name, :sizeGb, :createdAt)")
  void insertDisk(
      @Bind("id") UUID id,
      @Bind("userId") UUID userId,
      @Bind("name") String name,
      @Bind("sizeGb") int sizeGb,
      @Bind("createdAt") Instant createdAt);

  @SqlUpdate("update disks set deleted_at = :at where id = :id and deleted_at is null")
  int softDeleteDisk(@Bind("id") UUID id, @Bind("at") Instant at);

  @SqlUpdate("update disks set name = :name where id = :id and deleted_at is null")
  int renameDisk(@Bind("id") UUID id, @Bind("name") String name);

  /** Renames the disk in the user's live reservations that will still use it. */
  @SqlUpdate(
      "update reservations set disk_name = :newName where user_id = :userId"
          + " and disk_name = :oldName and status in ('PENDING', 'QUEUED')")
  int renameDiskInWaitingReservations(
      @Bind("userId") UUID userId,
      @Bind("oldName") String oldName,
      @Bind("newName") String newName);

  /** Live (waiting) reservations that name the disk: it must not be deleted under them. */
  @SqlQuery(
      "select count(*) from reservations where user_id = :userId and disk_name = :name"
          + " and status in ('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE')")
  int liveReservationsUsingDisk(@Bind("userId") UUID userId, @Bind("name") String name);

  @SqlQuery(
      "select * from disk_snapshots where disk_id = :diskId and deleted_at is null"
          + " order by created_at desc, id desc")
  List<DiskSnapshot> listSnapshots(@Bind("diskId") UUID diskId);

  /**
   * Takes the user's quota lock (like {@link #lockUser}) and reads the GPU type ({@code gpuType}),
   * in one round trip; no row for an unknown type.
   */
  String LOCK_USER_AND_FIND_GPU_TYPE =
      "select g.* from gpu_types g,"
          + " lateral (select pg_advisory_xact_lock(hashtext('odc.user.'"
          + " || cast(:userId as text)))) l where g.name = :gpuType";

  /**
   * GPUs held or awaited by the user's live reservations, and the name of the user's live disk
   * called {@code diskName} (null when there is none). Run after the user's lock is taken.
   */
  String USAGE =
      "select (select coalesce(sum(gpu_count * node_count), 0) from reservations"
          + " where user_id = :userId and status in ('PENDING', 'QUEUED', 'PREPARING', 'ACTIVE'))"
          + " as livegpus,"
          + " (select name from disks where user_id = :userId and name = :diskName"
          + " and deleted_at is null) as defaultdisk";

  /** Serializes quota checks of one user across API instances, until the transaction ends. */
  @SqlQuery(
      "select count(*) from (select pg_advisory_xact_lock(hashtext('odc.user.'"
          + " || cast(:userId as text)))) l")
  int lockUser(@Bind("userId") UUID userId);
}
