package dev.odc.database;

import dev.odc.core.Disk;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The {@code disks} table. A disk name is unique per user among disks that are not deleted (a
 * second {@link #insert} with the same name fails with SQLState 23505).
 *
 * <p>The disk lock ({@code in_use_by}) is taken with {@link #acquire}, a conditional update that
 * only succeeds on a free disk, and a partial unique index makes one reservation hold at most one
 * disk; so one disk is never given to two reservations, however many try at once.
 */
public interface DiskDao {
  String COLUMNS =
      "id, user_id, name, size_gb, storage_class, zone, pvc_name, in_use_by, last_snapshot_name,"
          + " orphaned, created_at, deleted_at";

  default void insert(Disk d) {
    insertRow(
        d.id(),
        d.userId(),
        d.name(),
        d.sizeGb(),
        d.storageClass(),
        d.zone(),
        d.pvcName(),
        d.inUseBy(),
        d.lastSnapshotName(),
        d.orphaned(),
        d.createdAt(),
        d.deletedAt());
  }

  @SqlUpdate(
      "insert into disks (id, user_id, name, size_gb, storage_class, zone, pvc_name, in_use_by,"
          + " last_snapshot_name, orphaned, created_at, deleted_at) values (:id, :userId, :name,"
          + " :sizeGb, :storageClass, :zone, :pvcName, :inUseBy, :lastSnapshotName, :orphaned,"
          + " :createdAt, :deletedAt)")
  void insertRow(
      @Bind("id") UUID id,
      @Bind("userId") UUID userId,
      @Bind("name") String name,
      @Bind("sizeGb") int sizeGb,
      @Bind("storageClass") String storageClass,
      @Bind("zone") String zone,
      @Bind("pvcName") String pvcName,
      @Bind("inUseBy") UUID inUseBy,
      @Bind("lastSnapshotName") String lastSnapshotName,
      @Bind("orphaned") boolean orphaned,
      @Bind("createdAt") Instant createdAt,
      @Bind("deletedAt") Instant deletedAt);

  @SqlQuery("select " + COLUMNS + " from disks where id = :id")
  Optional<Disk> findById(@Bind("id") UUID id);

  /** The user's disk of that name that is not deleted. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disks where user_id = :userId and name = :name"
          + " and deleted_at is null")
  Optional<Disk> findByUserAndName(@Bind("userId") UUID userId, @Bind("name") String name);

  /** The user's disks that are not deleted, by name. */
  @SqlQuery(
      "select "
          + COLUMNS
          + " from disks where user_id = :userId and deleted_at is null"
          + " order by name")
  List<Disk> listByUser(@Bind("userId") UUID userId);

  /** Every disk that is not deleted, oldest first. */
  @SqlQuery("select " + COLUMNS + " from disks where deleted_at is null order by created_at, id")
  List<Disk> listAll();

  @SqlQuery(
      "select " + COLUMNS + " from disks where orphaned and deleted_at is null order by created_at")
  List<Disk> listOrphaned();

  /** The disk a reservation holds, if any. */
  @SqlQuery("select " + COLUMNS + " from disks where in_use_by = :reservationId")
  Optional<Disk> findHeldBy(@Bind("reservationId") UUID reservationId);

  /**
   * Marks the disk deleted, if it is not in use.
   *
   * @return false when the disk does not exist, is already deleted, or is in use
   */
  @SqlUpdate(
      "update disks set deleted_at = :at where id = :id and deleted_at is null"
          + " and in_use_by is null")
  boolean softDelete(@Bind("id") UUID id, @Bind("at") Instant at);

  /**
   * Renames a disk that is not in use.
   *
   * @return false when the disk does not exist, is deleted or in use
   * @throws org.jdbi.v3.core.statement.UnableToExecuteStatementException with SQLState 23505 when
   *     the user already has a disk of the new name
   */
  @SqlUpdate(
      "update disks set name = :newName where id = :id and deleted_at is null"
          + " and in_use_by is null")
  boolean rename(@Bind("id") UUID id, @Bind("newName") String newName);

  /**
   * Takes the disk lock for a reservation. Idempotent for the same reservation (a redelivered
   * message gets true again).
   *
   * @return true when {@code reservationId} holds the lock now; false when another reservation
   *     does, or the disk is deleted or missing
   */
  default boolean acquire(UUID diskId, UUID reservationId) {
    if (acquireRow(diskId, reservationId)) {
      return true;
    }
    return findById(diskId).map(d -> reservationId.equals(d.inUseBy())).orElse(false);
  }

  @SqlUpdate(
      "update disks set in_use_by = :reservationId where id = :id and in_use_by is null"
          + " and deleted_at is null"
          + " and not exists (select 1 from disks other where other.in_use_by = :reservationId)")
  boolean acquireRow(@Bind("id") UUID diskId, @Bind("reservationId") UUID reservationId);

  /** Releases the lock if {@code reservationId} holds it. @return false when it did not */
  @SqlUpdate("update disks set in_use_by = null where id = :id and in_use_by = :reservationId")
  boolean release(@Bind("id") UUID diskId, @Bind("reservationId") UUID reservationId);

  @SqlUpdate("update disks set pvc_name = :pvcName, zone = :zone where id = :id")
  boolean setVolume(
      @Bind("id") UUID id, @Bind("pvcName") String pvcName, @Bind("zone") String zone);

  @SqlUpdate("update disks set last_snapshot_name = :snapshotName where id = :id")
  boolean setLastSnapshot(@Bind("id") UUID id, @Bind("snapshotName") String snapshotName);

  @SqlUpdate("update disks set orphaned = :orphaned where id = :id")
  boolean setOrphaned(@Bind("id") UUID id, @Bind("orphaned") boolean orphaned);
}
