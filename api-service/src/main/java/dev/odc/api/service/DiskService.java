package dev.odc.api.service;

import dev.odc.api.ApiConfiguration.LimitsConfig;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.db.ApiQueries;
import dev.odc.api.errors.ApiException;
import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.ErrorCode;
import dev.odc.core.api.CreateDiskRequest;
import dev.odc.core.api.Page;
import dev.odc.core.api.RenameDiskRequest;
import dev.odc.core.api.RestoreDiskRequest;
import dev.odc.core.queue.DiskOperationMessage;
import dev.odc.database.AuditLog;
import dev.odc.database.Cursor;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.database.ReservationDao;
import dev.odc.database.pgmq.Pgmq;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The caller's home disks, by name. Disks are per user: a name is only looked up among the caller's
 * own disks, so another user's disk simply does not exist here.
 */
public class DiskService {
  private final Jdbi jdbi;
  private final Pgmq pgmq;
  private final LimitsConfig limits;
  private final Clock clock;

  public DiskService(Jdbi jdbi, LimitsConfig limits, Clock clock) {
    this.jdbi = jdbi;
    this.pgmq = new Pgmq(jdbi);
    this.limits = limits;
    this.clock = clock;
  }

  public Page<Disk> list(OdcPrincipal caller, String cursor, Integer limit) {
    int size = Pages.limit(limit);
    Cursor after = Pages.cursor(cursor);
    List<Disk> rows =
        jdbi.withExtension(
            ApiQueries.class,
            q ->
                q.listDisks(
                    caller.user().id(),
                    after == null ? null : after.createdAt(),
                    after == null ? null : after.id(),
                    size + 1));
    if (rows.size() <= size) {
      return new Page<>(rows, null);
    }
    List<Disk> items = rows.subList(0, size);
    Disk last = items.get(size - 1);
    return new Page<>(items, new Cursor(last.createdAt(), last.id()).encode());
  }

  public Disk get(OdcPrincipal caller, String name) {
    return jdbi.withExtension(ApiQueries.class, q -> find(q, caller, name));
  }

  private static Disk find(ApiQueries q, OdcPrincipal caller, String name) {
    if (name == null || !dev.odc.core.Checks.isValidName(name)) {
      throw ApiException.notFound("disk", String.valueOf(name));
    }
    return q.findDisk(caller.user().id(), name)
        .orElseThrow(() -> ApiException.notFound("disk", name));
  }

  public Disk create(OdcPrincipal caller, CreateDiskRequest request) {
    Validation.required(request, "body");
    String name = Validation.name(Validation.required(request.name(), "name"), "name");
    int size = request.sizeGb() == null ? limits.defaultDiskSizeGb : request.sizeGb();
    if (size < 1) {
      throw ApiException.invalid("sizeGb", "sizeGb must be at least 1");
    }
    if (size > limits.maxDiskSizeGb) {
      throw ApiException.limit(
          "maxDiskSizeGb",
          limits.maxDiskSizeGb,
          "sizeGb " + size + " exceeds the limit of " + limits.maxDiskSizeGb + " GB");
    }
    UUID userId = caller.user().id();
    return jdbi.inTransaction(
        handle -> {
          ApiQueries q = handle.attach(ApiQueries.class);
          q.lockUser(userId);
          if (q.findDisk(userId, name).isPresent()) {
            throw new ApiException(
                ErrorCode.CONFLICT, "you already have a disk named '" + name + "'");
          }
          int count = q.countDisks(userId);
          if (count >= limits.maxDisks) {
            throw ApiException.limit(
                "maxDisks",
                limits.maxDisks,
                "you have " + count + " disks, the limit is " + limits.maxDisks);
          }
          insert(handle, caller, name, size, clock.instant(), Map.of());
          return q.findDisk(userId, name).orElseThrow();
        });
  }

  /**
   * Inserts a disk of the caller and its {@code disk.create} audit row, in the caller's
   * transaction; the limits are the caller's to check first.
   */
  static UUID insert(
      Handle handle,
      OdcPrincipal caller,
      String name,
      int sizeGb,
      Instant now,
      Map<String, Object> moreDetails) {
    UUID id = UUID.randomUUID();
    handle.attach(ApiQueries.class).insertDisk(id, caller.user().id(), name, sizeGb, now);
    Map<String, Object> details = new LinkedHashMap<>(moreDetails);
    details.put("name", name);
    details.put("sizeGb", sizeGb);
    AuditLog.append(
        handle,
        caller.getName(),
        "disk.create",
        "disk",
        id.toString(),
        AuditEvent.SUCCESS,
        details);
    return id;
  }

  /** The caller's disk {@code name}, locked until the transaction ends; 404 when there is none. */
  private static Disk lockOwn(ApiQueries q, OdcPrincipal caller, String name) {
    find(q, caller, name);
    return q.lockDisk(caller.user().id(), name)
        .orElseThrow(() -> ApiException.notFound("disk", name));
  }

  /** Soft delete; refused while a reservation uses or waits for the disk. */
  public Disk delete(OdcPrincipal caller, String name) {
    return jdbi.inTransaction(
        handle -> {
          ApiQueries q = handle.attach(ApiQueries.class);
          Disk disk = lockOwn(q, caller, name);
          if (disk.inUse()
              || handle.attach(ReservationDao.class).liveCountUsingDisk(caller.user().id(), name)
                  > 0) {
            throw new ApiException(
                ErrorCode.CONFLICT,
                "disk '" + name + "' is in use by a live reservation; cancel it first",
                Map.of("disk", name));
          }
          Instant now = clock.instant();
          q.softDeleteDisk(disk.id(), now);
          AuditLog.append(
              handle,
              caller.getName(),
              "disk.delete",
              "disk",
              disk.id().toString(),
              AuditEvent.SUCCESS,
              Map.of("name", name));
          pgmq.send(
              handle,
              DiskOperationMessage.QUEUE,
              new DiskOperationMessage(disk.id(), DiskOperationMessage.Operation.DELETE));
          return new Disk(
              disk.id(),
              disk.userId(),
              disk.name(),
              disk.sizeGb(),
              disk.storageClass(),
              disk.zone(),
              disk.pvcName(),
              disk.inUseBy(),
              disk.lastSnapshotName(),
              disk.orphaned(),
              disk.createdAt(),
              now);
        });
  }

  public Disk rename(OdcPrincipal caller, String name, RenameDiskRequest request) {
    Validation.required(request, "body");
    String newName = Validation.name(Validation.required(request.newName(), "newName"), "newName");
    UUID userId = caller.user().id();
    return jdbi.inTransaction(
        handle -> {
          ApiQueries q = handle.attach(ApiQueries.class);
          Disk disk = lockOwn(q, caller, name);
          if (newName.equals(name)) {
            return disk;
          }
          if (disk.inUse()) {
            throw new ApiException(
                ErrorCode.CONFLICT, "disk '" + name + "' is attached to a running reservation");
          }
          if (q.findDisk(userId, newName).isPresent()) {
            throw new ApiException(
                ErrorCode.CONFLICT, "you already have a disk named '" + newName + "'");
          }
          q.renameDisk(disk.id(), newName);
          handle.attach(ReservationDao.class).renameDiskInWaiting(userId, name, newName);
          AuditLog.append(
              handle,
              caller.getName(),
              "disk.rename",
              "disk",
              disk.id().toString(),
              AuditEvent.SUCCESS,
              Map.of("from", name, "to", newName));
          return q.findDisk(userId, newName).orElseThrow();
        });
  }

  /**
   * Makes the disk's next reservation start from one of its ready snapshots (an undo for a broken
   * home directory): the processor then restores a new claim from it, whatever the zone, and the
   * superseded claim goes once that reservation is ACTIVE. A snapshot of another disk, or another
   * user's, answers 404 like a missing one.
   */
  public DiskSnapshot restore(OdcPrincipal caller, String name, RestoreDiskRequest request) {
    Validation.required(request, "body");
    String raw = Validation.required(request.snapshotId(), "snapshotId");
    UUID snapshotId;
    try {
      snapshotId = UUID.fromString(raw.trim());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(
          "snapshotId", "snapshotId must be a snapshot id as `gpu-dev disk snapshots` lists it");
    }
    return jdbi.inTransaction(
        handle -> {
          ApiQueries q = handle.attach(ApiQueries.class);
          Disk disk = lockOwn(q, caller, name);
          DiskSnapshotDao snapshots = handle.attach(DiskSnapshotDao.class);
          DiskSnapshot snapshot =
              snapshots
                  .findById(snapshotId)
                  .filter(s -> s.diskId().equals(disk.id()) && s.deletedAt() == null)
                  .orElseThrow(() -> ApiException.notFound("snapshot", raw));
          if (!snapshot.ready()) {
            throw new ApiException(
                ErrorCode.INVALID_STATE,
                "snapshot "
                    + raw
                    + (snapshot.failed()
                        ? " failed (" + snapshot.failure() + ") and cannot be restored"
                        : " is not ready yet; try again once `gpu-dev disk snapshots "
                            + name
                            + "` shows it ready"),
                Map.of("snapshotId", raw));
          }
          snapshots.requestRestore(snapshot.id(), clock.instant());
          AuditLog.append(
              handle,
              caller.getName(),
              "disk.restore",
              "disk",
              disk.id().toString(),
              AuditEvent.SUCCESS,
              Map.of("name", name, "snapshotId", raw, "snapshot", snapshot.snapshotName()));
          return snapshots.findById(snapshot.id()).orElseThrow();
        });
  }

  public List<DiskSnapshot> snapshots(OdcPrincipal caller, String name) {
    return jdbi.withExtension(ApiQueries.class, q -> q.listSnapshots(find(q, caller, name).id()));
  }
}
