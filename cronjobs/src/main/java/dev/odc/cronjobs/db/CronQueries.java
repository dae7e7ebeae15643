package dev.odc.cronjobs.db;

import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.database.DiskDao;
import dev.odc.database.DiskSnapshotDao;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The queries the jobs need beyond the database module's DAOs. Reads rows through the row mappers
 * {@code Database.configure} registers. Reservations are read through {@code ReservationDao} and
 * changed through {@code Reservations}; audit rows go through the database module's {@code
 * AuditLog}.
 */
public interface CronQueries {
  /**
   * Re-arms the expiry warnings of every ACTIVE reservation whose deadline moved: drops from {@code
   * warnings_sent} the thresholds (minutes) that are before the deadline again, seen from {@code
   * now}, so they fire once more. One statement over the rows that have warnings sent, instead of
   * reading every ACTIVE row.
   *
   * @return the ids of the reservations re-armed
   */
  @SqlQuery(
      "with due as (select id, trunc(extract(epoch from (expires_at - cast(:now as timestamptz))))"
          + " as remaining from reservations where status = 'ACTIVE' and expires_at is not null"
          + " and cardinality(warnings_sent) > 0)"
          + " update reservations r set warnings_sent = array(select w from unnest(r.warnings_sent)"
          + " w where w * 60 >= due.remaining order by w desc), version = r.version + 1"
          + " from due where r.id = due.id and exists (select 1 from unnest(r.warnings_sent) w"
          + " where w * 60 < due.remaining) returning r.id")
  List<UUID> rearmMovedDeadlines(@Bind("now") Instant now);

  /**
   * Records that the EXPIRE for this deadline is being enqueued; false when it already was. The
   * deadline is part of the key, so a reservation extended after its expiry was enqueued gets a new
   * one for its new deadline.
   */
  @SqlUpdate(
      "insert into cronjobs.expiry_enqueued (reservation_id, expires_at)"
          + " values (:id, :expiresAt) on conflict do nothing")
  boolean recordExpiryEnqueued(@Bind("id") UUID id, @Bind("expiresAt") Instant expiresAt);

  @SqlUpdate(
      "update cronjobs.expiry_enqueued set msg_id = :msgId"
          + " where reservation_id = :id and expires_at = :expiresAt")
  void setExpiryMessageId(
      @Bind("id") UUID id, @Bind("expiresAt") Instant expiresAt, @Bind("msgId") long msgId);

  @SqlQuery(
      "select exists (select 1 from cronjobs.expiry_enqueued where reservation_id = :id"
          + " and expires_at = :expiresAt)")
  boolean expiryEnqueued(@Bind("id") UUID id, @Bind("expiresAt") Instant expiresAt);

  @SqlQuery(
      "select count(*) from audit_log where actor = :actor and action = :action"
          + " and resource_id = :resourceId")
  long countAudit(
      @Bind("actor") String actor,
      @Bind("action") String action,
      @Bind("resourceId") String resourceId);

  /** Every disk, soft-deleted ones included: retention needs to know which disks still exist. */
  @SqlQuery("select " + DiskDao.COLUMNS + " from disks order by created_at, id")
  List<Disk> allDisks();

  @SqlQuery(
      "select "
          + DiskSnapshotDao.COLUMNS
          + " from disk_snapshots where deleted_at is null order by created_at, id")
  List<DiskSnapshot> liveSnapshots();
}
