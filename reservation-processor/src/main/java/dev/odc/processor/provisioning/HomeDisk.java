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
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
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

  private final Jdbi jdbi;
  private final StorageBackend storage;
  private final String namespace;
  private final int defaultDiskSizeGb;
  private final Clock clock;
  private final Consumer<String> snapshotTaken;

  /**
   * @param snapshotTaken told the name of each release snapshot once its row is written, to follow
   *     it until it is ready or failed
   */
  public HomeDisk(
      Jdbi jdbi,
      StorageBackend storage,
      String namespace,
      int defaultDiskSizeGb,
      Clock clock,
      Consumer<String> snapshotTaken) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.storage = Objects.requireNonNull(storage, "storage is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.defaultDiskSizeGb = defaultDiskSizeGb;
    this.clock = Objects.requireNonNull(clock, "clock is null");
    this.snapshotTaken = Objects.requireNonNull(snapshotTaken, "snapshotTaken is null");
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
   * The disk's claim for a reservation in {@code zone}: the existing claim when its zone fits (and
   * the owner asked for no restore), else a claim restored from a snapshot ({@link
   * #restoreSource}), else an empty claim for a new disk.
   *
   * @return the claim's name
   */
  public String claim(Reservation r, Disk disk, String zone) {
    // a restore the owner asked for needs a new claim even where the existing one would do
    boolean restoreRequested =
        disk.pvcName() != null && snapshots().requestedRestore(disk.id()).isPresent();
    if (disk.pvcName() != null && !restoreRequested) {
      Optional<VolumeClaim> existing = storage.findClaim(namespace, disk.pvcName());
      String claimZone = existing.flatMap(VolumeClaim::zoneName).orElse(disk.zone());
      if (existing.isPresent() && (zone == null || claimZone == null || zone.equals(claimZone))) {
        return disk.pvcName();
      }
    }
    Optional<DiskSnapshot> snapshot = restoreSource(disk);
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
    jdbi.useTransaction(
        h -> {
          h.attach(DiskDao.class).setVolume(disk.id(), spec.name(), zone);
          h.attach(DiskSnapshotDao.class).clearRestoreRequests(disk.id());
        });
    return spec.name();
  }

  /**
   * The snapshot a new claim of {@code disk} starts from: the one its owner chose with {@code disk
   * restore}, else the newest one (the last release's). A newest snapshot still pending is used
   * too: the claim binds once it is ready, rather than restoring older data. Empty for a disk that
   * never had a snapshot.
   *
   * @throws DiskUnavailableException when the newest snapshot failed: restoring an older one would
   *     silently lose the last session's work, which is still in the previous claim
   */
  private Optional<DiskSnapshot> restoreSource(Disk disk) {
    if (disk.pvcName() == null && disk.lastSnapshotName() == null) {
      // a disk that never had a claim or a snapshot has nothing to restore: no reads for it
      return Optional.empty();
    }
    DiskSnapshotDao dao = snapshots();
    Optional<DiskSnapshot> chosen = dao.requestedRestore(disk.id());
    if (chosen.isPresent()) {
      return chosen;
    }
    Optional<DiskSnapshot> newest = dao.newest(disk.id());
    if (newest.isPresent() && newest.get().failed()) {
      DiskSnapshot failed = newest.get();
      String older =
          dao.newestReady(disk.id())
              .map(
                  s ->
                      "; to start from the older snapshot "
                          + s.id()
                          + " of "
                          + s.createdAt()
                          + " instead, run: gpu-dev disk restore "
                          + disk.name()
                          + " --snapshot "
                          + s.id())
              .orElse("");
      throw new DiskUnavailableException(
          "the last snapshot of disk '"
              + disk.name()
              + "' failed ("
              + failed.failure()
              + "), so its newest data cannot be moved to this zone; it is kept in claim "
              + disk.pvcName()
              + (disk.zone() == null ? "" : " in zone " + disk.zone())
              + older);
    }
    return newest;
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
          dao.insert(
              DiskSnapshot.released(
                  UUID.randomUUID(), disk.id(), name, disk.sizeGb(), clock.instant()));
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
    snapshotTaken.accept(name);
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
