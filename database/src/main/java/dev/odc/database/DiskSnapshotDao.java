package dev.odc.database;

import dev.odc.core.DiskSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code disk_snapshots} table: one row per CSI VolumeSnapshot of a disk. */
public interface DiskSnapshotDao {
  String COLUMNS =
      "id, disk_id, snapshot_name, cloud_snapshot_id, size_gb, ready, created_at, retained_until,"
          + " deleted_at, failure";

  default void insert(DiskSnapshot s) {
    insertRow(
        s.id(),
        s.diskId(),
        s.snapshotName(),
        s.cloudSnapshotId(),
        s.sizeGb(),
        s.ready(),
        s.createdAt(),
        s.retainedUntil(),
        s.failure());
  }

  @SqlUpdate(
      "insert into disk_snapshots (id, disk_id, snapshot_name, cloud_snapshot_id, size_gb, ready,"
          + " created_at, retained_until, failure) values (:id, :diskId, :snapshotName,"
          + " :cloudSnapshotId, :sizeGb, :ready, :createdAt, :retainedUntil, :failure)")
  void insertRow(
      @Bind("id") UUID id,
      @Bind("diskId") UUID diskId,
      @Bind("snapshotName") String snapshotName,
      @Bind("cloudSnapshotId") String cloudSnapshotId,
      @Bind("sizeGb") Integer sizeGb,
      @Bind("ready") boolean ready,
      @Bind("createdAt") Instant createdAt,
      @Bind("retainedUntil") Instant retainedUntil,
      @Bind("failure") String failure);

  @SqlQuery("select " + COLUMNS + " from disk_snapshots where id = :id")
  Optional<DiskSnapshot> findById(@Bind("id") UUID id);

  @SqlQuery("select " + COLUMNS + " from disk_snapshots where snapshot_name = :name")
  Optional<DiskSnapshot> findByName(@Bind("name") String snapshotName);

  /** A disk's snapshots that are not deleted, newest first. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disk_snapshots where disk_id = :diskId and deleted_at is null"
          + " order by created_at desc, id")
  List<DiskSnapshot> listByDisk(@Bind("diskId") UUID diskId);

  /** The newest ready snapshot of a disk, to restore from. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disk_snapshots where disk_id = :diskId and deleted_at is null"
          + " and ready order by created_at desc, id limit 1")
  Optional<DiskSnapshot> newestReady(@Bind("diskId") UUID diskId);

  /**
   * The newest snapshot of a disk that is not deleted, ready or not: what the last release left.
   */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disk_snapshots where disk_id = :diskId and deleted_at is null"
          + " order by created_at desc, id limit 1")
  Optional<DiskSnapshot> newest(@Bind("diskId") UUID diskId);

  /** The snapshot the disk's owner asked the next reservation to restore from, if any. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disk_snapshots where disk_id = :diskId and deleted_at is null and ready"
          + " and restore_requested_at is not null order by restore_requested_at desc, id limit 1")
  Optional<DiskSnapshot> requestedRestore(@Bind("diskId") UUID diskId);

  /** Asks that the disk's next claim be restored from this snapshot. */
  @SqlUpdate(
      "update disk_snapshots set restore_requested_at = :at where id = :id and ready"
          + " and deleted_at is null")
  boolean requestRestore(@Bind("id") UUID id, @Bind("at") Instant at);

  /** Clears the disk's restore requests: the claim they asked for was made. */
  @SqlUpdate(
      "update disk_snapshots set restore_requested_at = null where disk_id = :diskId"
          + " and restore_requested_at is not null")
  int clearRestoreRequests(@Bind("diskId") UUID diskId);

  /** Snapshots of every disk neither ready nor failed yet, oldest first. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disk_snapshots where not ready and failure is null and deleted_at is null"
          + " order by created_at, id")
  List<DiskSnapshot> listPending();

  /**
   * Records that the snapshot failed; only a pending one changes.
   *
   * @return false when it was ready or failed already (another processor recorded it)
   */
  @SqlUpdate(
      "update disk_snapshots set failure = :failure where id = :id and not ready"
          + " and failure is null")
  boolean markFailed(@Bind("id") UUID id, @Bind("failure") String failure);

  /**
   * Records that the VolumeSnapshot became ready, with the cloud's id and size once known; only a
   * snapshot not yet ready changes (a late ready clears a recorded timeout).
   *
   * @return false when it was ready already
   */
  @SqlUpdate(
      "update disk_snapshots set ready = true, failure = null,"
          + " cloud_snapshot_id = coalesce(:cloudSnapshotId, cloud_snapshot_id),"
          + " size_gb = coalesce(:sizeGb, size_gb) where id = :id and not ready")
  boolean markReady(
      @Bind("id") UUID id,
      @Bind("cloudSnapshotId") String cloudSnapshotId,
      @Bind("sizeGb") Integer sizeGb);

  /**
   * Snapshots whose retention passed, excluding the newest ready snapshot of every disk that is not
   * deleted (a live disk always keeps its last good snapshot).
   */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disk_snapshots s where s.deleted_at is null and s.retained_until < :now"
          + " and not exists (select 1 from disks d where d.id = s.disk_id and d.deleted_at is null"
          + " and s.id = (select n.id from disk_snapshots n where n.disk_id = d.id"
          + " and n.deleted_at is null and n.ready order by n.created_at desc, n.id limit 1))"
          + " order by s.retained_until")
  List<DiskSnapshot> listExpired(@Bind("now") Instant now);

  @SqlUpdate("update disk_snapshots set deleted_at = :at where id = :id and deleted_at is null")
  boolean markDeleted(@Bind("id") UUID id, @Bind("at") Instant at);
}
