package dev.odc.processor.provisioning;

import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.database.AuditLog;
import dev.odc.database.DiskDao;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.processor.Names;
import dev.odc.processor.Processor;
import dev.odc.processor.Step;
import dev.odc.processor.Steps;
import dev.odc.providers.SnapshotSpec;
import dev.odc.providers.StorageBackend;
import dev.odc.providers.VolumeClaim;
import dev.odc.providers.VolumeSnapshotInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reservation's home disk: locked for the reservation, given a claim in the reservation's zone
 * (the existing one, one restored from a snapshot, or a new one), snapshotted and released when the
 * reservation ends.
 */
public final class HomeDisk {
  private static final Logger log = LoggerFactory.getLogger(HomeDisk.class);
  private static final String ACTOR = Processor.ACTOR;

  /** How long the snapshot taken at a release is kept. */
  static final Duration SNAPSHOT_RETENTION = Duration.ofDays(30);

  private final Jdbi jdbi;
  private final StorageBackend storage;
  private final String namespace;
  private final int defaultDiskSizeGb;
  private final Clock clock;

  public HomeDisk(
      Jdbi jdbi, StorageBackend storage, String namespace, int defaultDiskSizeGb, Clock clock) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.storage = Objects.requireNonNull(storage, "storage is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.defaultDiskSizeGb = defaultDiskSizeGb;
    this.clock = Objects.requireNonNull(clock, "clock is null");
  }

  /**
   * Locks the reservation's disk for it, creating the disk on first use.
   *
   * @return empty when the reservation has no disk
   * @throws DiskUnavailableException when another reservation holds the disk
   */
  public Optional<Disk> lock(Reservation r) {
    if (r.diskName() == null) {
      return Optional.empty();
    }
    return Optional.of(
        jdbi.inTransaction(
            h -> {
              DiskDao disks = h.attach(DiskDao.class);
              Disk disk = disks.findByUserAndName(r.userId(), r.diskName()).orElse(null);
              boolean created = false;
              if (disk == null) {
                disk =
                    new Disk(
                        UUID.randomUUID(),
                        r.userId(),
                        r.diskName(),
                        defaultDiskSizeGb,
                        null,
                        null,
                        null,
                        null,
                        null,
                        false,
                        clock.instant(),
                        null);
                disks.insert(disk);
                created = true;
              }
              if (r.id().equals(disk.inUseBy())) {
                return disk;
              }
              if (!disks.acquire(disk.id(), r.id())) {
                throw new DiskUnavailableException(
                    "disk '" + r.diskName() + "' is in use by another reservation");
              }
              Disk locked = disks.findById(disk.id()).orElseThrow();
              // The audit rows go last: the audit chain's lock, which every audited transaction
              // of every service waits for, is held from the first of them to the commit.
              if (created) {
                AuditLog.append(
                    h,
                    ACTOR,
                    "disk.create",
                    "disk",
                    disk.id().toString(),
                    AuditEvent.SUCCESS,
                    Map.of(
                        "name",
                        disk.name(),
                        "sizeGb",
                        disk.sizeGb(),
                        "reservationId",
                        r.id().toString()));
              }
              AuditLog.append(
                  h,
                  ACTOR,
                  "disk.lock",
                  "disk",
                  disk.id().toString(),
                  AuditEvent.SUCCESS,
                  Map.of("reservationId", r.id().toString()));
              return locked;
            }));
  }

  /**
   * The disk's claim for a reservation in {@code zone}: the existing claim when its zone fits, else
   * a claim restored from the newest ready snapshot, else an empty claim for a new disk.
   *
   * @return the claim's name
   */
  public String claim(Reservation r, Disk disk, String zone) {
    if (disk.pvcName() != null) {
      Optional<VolumeClaim> existing = storage.findClaim(namespace, disk.pvcName());
      String claimZone = existing.flatMap(VolumeClaim::zoneName).orElse(disk.zone());
      if (existing.isPresent() && (zone == null || claimZone == null || zone.equals(claimZone))) {
        return disk.pvcName();
      }
    }
    Optional<DiskSnapshot> snapshot = Optional.empty();
    if (disk.pvcName() != null || disk.lastSnapshotName() != null) {
      // a disk that never had a claim or a snapshot has nothing to restore: no reads for it
      refreshSnapshots(disk);
      snapshot = snapshots().newestReady(disk.id());
    }
    snapshot.ifPresent(
        s ->
            log.info(
                "Reservation {}: restoring disk {} from snapshot {} into zone {}",
                r.shortId(),
                disk.name(),
                s.snapshotName(),
                zone));
    var spec = HomeClaim.desired(r, disk, zone, snapshot, namespace);
    storage.ensureClaim(spec);
    jdbi.useHandle(h -> h.attach(DiskDao.class).setVolume(disk.id(), spec.name(), zone));
    return spec.name();
  }

  /**
   * The reservation ended: snapshots the disk it holds (if any) and releases the lock; idempotent.
   */
  public void release(Reservation r, Steps steps) {
    Optional<Disk> held = jdbi.withHandle(h -> h.attach(DiskDao.class).findHeldBy(r.id()));
    if (held.isEmpty()) {
      return;
    }
    Disk disk = held.get();
    steps.before(Step.SNAPSHOT, r);
    snapshot(r, disk);
    steps.before(Step.RELEASE_DISK, r);
    jdbi.useTransaction(
        h -> {
          if (h.attach(DiskDao.class).release(disk.id(), r.id())) {
            AuditLog.append(
                h,
                ACTOR,
                "disk.unlock",
                "disk",
                disk.id().toString(),
                AuditEvent.SUCCESS,
                Map.of("reservationId", r.id().toString()));
          }
        });
  }

  private void snapshot(Reservation r, Disk disk) {
    if (disk.pvcName() == null) {
      return;
    }
    String ns = namespace;
    if (storage.findClaim(ns, disk.pvcName()).isEmpty()) {
      return;
    }
    String name = Names.snapshot(disk.id(), r.id());
    storage.createSnapshot(
        SnapshotSpec.of(
            ns,
            name,
            disk.pvcName(),
            Map.of(
                Labels.DISK_ID, disk.id().toString(),
                Labels.RESERVATION_ID, r.id().toString(),
                Labels.MANAGED_BY, Labels.ODC)));
    jdbi.useTransaction(
        h -> {
          DiskSnapshotDao dao = h.attach(DiskSnapshotDao.class);
          if (dao.findByName(name).isPresent()) {
            return;
          }
          Instant now = clock.instant();
          dao.insert(
              new DiskSnapshot(
                  UUID.randomUUID(),
                  disk.id(),
                  name,
                  null,
                  disk.sizeGb(),
                  false,
                  now,
                  now.plus(SNAPSHOT_RETENTION),
                  null));
          h.attach(DiskDao.class).setLastSnapshot(disk.id(), name);
          AuditLog.append(
              h,
              ACTOR,
              "disk.snapshot",
              "disk",
              disk.id().toString(),
              AuditEvent.SUCCESS,
              Map.of(
                  "snapshot", name, "claim", disk.pvcName(), "reservationId", r.id().toString()));
        });
  }

  /** Marks the disk's snapshots ready that the cluster reports ready. */
  private void refreshSnapshots(Disk disk) {
    for (DiskSnapshot s : snapshots().listByDisk(disk.id())) {
      if (s.ready()) {
        continue;
      }
      storage
          .findSnapshot(namespace, s.snapshotName())
          .filter(VolumeSnapshotInfo::readyToUse)
          .ifPresent(
              info ->
                  snapshots()
                      .markReady(s.id(), info.snapshotHandle(), info.restoreSizeGb().orElse(null)));
    }
  }

  private DiskSnapshotDao snapshots() {
    return jdbi.onDemand(DiskSnapshotDao.class);
  }

  /** The reservation's disk is held by another reservation. */
  public static final class DiskUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DiskUnavailableException(String message) {
      super(message);
    }
  }
}
