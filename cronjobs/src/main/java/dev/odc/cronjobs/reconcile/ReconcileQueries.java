package dev.odc.cronjobs.reconcile;

import dev.odc.core.Disk;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The reconciliation's own reads and conditional writes. */
public interface ReconcileQueries {

  /** Disk locks held by reservations that ended before {@code endedBefore}. */
  @SqlQuery(
      "select d.id as disk_id, r.id as reservation_id, r.status from disks d"
          + " join reservations r on r.id = d.in_use_by"
          + " where r.status in ('EXPIRED', 'CANCELLED', 'FAILED')"
          + " and coalesce(r.ended_at, r.created_at) < :endedBefore order by d.id")
  @RegisterConstructorMapper(DiskLock.class)
  List<DiskLock> locksOfEndedReservations(@Bind("endedBefore") Instant endedBefore);

  /** Inserts an orphan found in the cluster; false when a row with its id exists already. */
  @SqlUpdate(
      "insert into disks (id, user_id, name, size_gb, storage_class, zone, pvc_name, orphaned,"
          + " created_at) values (:id, :userId, :name, :sizeGb, :storageClass, :zone, :pvcName,"
          + " true, :createdAt) on conflict do nothing")
  boolean insertOrphan(@BindMethods Disk disk);

  /** Clears the PVC name of a free disk, if it still names {@code pvcName}. */
  @SqlUpdate(
      "update disks set pvc_name = null where id = :id and pvc_name = :pvcName"
          + " and in_use_by is null")
  boolean clearPvc(@Bind("id") UUID id, @Bind("pvcName") String pvcName);
}
