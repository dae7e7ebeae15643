package dev.odc.api.db;

import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The disk and audit-log reads the API needs beyond the database module's DAOs; reservations are
 * read through {@code ReservationDao} and changed through {@code Reservations}. Row mappers for the
 * core records come from {@link dev.odc.database.Database#configure}. Used inside transactions by
 * the services.
 */
public interface ApiQueries {

  // ---- audit (rows are written through dev.odc.database.AuditLog)

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

  @SqlQuery(
      "select * from disk_snapshots where disk_id = :diskId and deleted_at is null"
          + " order by created_at desc, id desc")
  List<DiskSnapshot> listSnapshots(@Bind("diskId") UUID diskId);

  /** Serializes quota checks of one user across API instances, until the transaction ends. */
  @SqlQuery(
      "select count(*) from (select pg_advisory_xact_lock(hashtext('odc.user.'"
          + " || cast(:userId as text)))) l")
  int lockUser(@Bind("userId") UUID userId);
}
