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
          + " deleted_at";

  default void insert(DiskSnapshot s) {
    insertRow(
        s.id(),
        s.diskId(),
        s.snapshotName(),
        s.cloudSnapshotId(),
        s.sizeGb(),
        s.ready(),
        s.createdAt(),
        s.retainedUntil());
  }

  @SqlUpdate(
      "insert into disk_snapshots (id, disk_id, snapshot_name, cloud_snapshot_id, size_gb, ready,"
          + " created_at, retained_until) values (:id, :diskId, :snapshotName, :cloudSnapshotId,"
          + " :sizeGb, :ready, :createdAt, :retainedUntil)")
  void insertRow(
      @Bind("id") UUID id,
      @Bind("diskId") UUID diskId,
      @Bind("snapshotName") String snapshotName,
      @Bind("cloudSnapshotId") String cloudSnapshotId,
      @Bind("sizeGb") Integer sizeGb,
      @Bind("ready") boolean ready,
      @Bind("createdAt") Instant createdAt,
      @Bind("retainedUntil") Instant retainedUntil);

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

  /** Records that the VolumeSnapshot became ready, with the cloud's id and size once known. */
  @SqlUpdate(
      "update disk_snapshots set ready = true,"
          + " cloud_snapshot_id = coalesce(:cloudSnapshotId, cloud_snapshot_id),"
          + " size_gb = coalesce(:sizeGb, size_gb) where id = :id")
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
