package dev.odc.cronjobs.reconcile;

import static java.util.Objects.requireNonNull;

import dev.odc.core.AuditEvent;
import dev.odc.core.Checks;
import dev.odc.core.Disk;
import dev.odc.core.Labels;
import dev.odc.core.User;
import dev.odc.cronjobs.db.CronQueries;
import dev.odc.cronjobs.scheduler.CronTask;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.scheduler.PartialFailureException;
import dev.odc.cronjobs.scheduler.RunContext;
import dev.odc.database.AuditLog;
import dev.odc.database.DiskDao;
import dev.odc.database.UserDao;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares {@code disks} rows with the cluster's PVCs (labelled {@code odc.dev/disk-id}). It
 * imports PVCs without a row as orphaned disks, clears {@code pvc_name} of free disks whose PVC is
 * gone (the next reservation restores from a snapshot), and releases disk locks still held by
 * reservations that ended. It deletes nothing: every finding is an audit row and a metric.
 */
public final class ReconciliationJob implements CronTask {
  private static final Logger log = LoggerFactory.getLogger(ReconciliationJob.class);

  public static final String NAME = "reconciliation";

  /** Who the audit rows of this job name. */
  public static final String ACTOR = "system:cronjobs:" + NAME;

  private final Jdbi jdbi;
  private final CronQueries queries;
  private final ReconcileQueries reconcile;
  private final UserDao users;
  private final KubernetesClient kubernetes;
  private final String namespace;
  private final Duration lockReleaseGrace;
  private final Clock clock;

  /**
   * @param lockReleaseGrace how long after a reservation ended its disk lock is left to the
   *     processor's own teardown before this job releases it
   */
  public ReconciliationJob(
      Jdbi jdbi,
      KubernetesClient kubernetes,
      String namespace,
      Duration lockReleaseGrace,
      Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.queries = jdbi.onDemand(CronQueries.class);
    this.reconcile = jdbi.onDemand(ReconcileQueries.class);
    this.users = jdbi.onDemand(UserDao.class);
    this.kubernetes = requireNonNull(kubernetes, "kubernetes is null");
    this.namespace = Checks.notBlank(namespace, "namespace");
    this.lockReleaseGrace = requireNonNull(lockReleaseGrace, "lockReleaseGrace is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public JobReport run(RunContext context) {
    Instant now = clock.instant();
    JobReport.Builder report =
        new JobReport.Builder()
            .zero(
                "orphans_imported",
                "orphans_unattributed",
                "pvc_missing",
                "pvc_missing_in_use",
                "locks_released",
                "errors");
    List<PersistentVolumeClaim> pvcs =
        kubernetes
            .persistentVolumeClaims()
            .inNamespace(namespace)
            .withLabel(Labels.DISK_ID)
            .list()
            .getItems();
    report.add("pvcs", pvcs.size());
    Map<UUID, Disk> disks = new HashMap<>();
    queries.allDisks().forEach(d -> disks.put(d.id(), d));
    Map<String, PersistentVolumeClaim> pvcByName = new HashMap<>();
    for (PersistentVolumeClaim pvc : pvcs) {
      pvcByName.put(pvc.getMetadata().getName(), pvc);
      Optional<UUID> diskId = diskId(pvc);
      if (diskId.isEmpty()) {
        report.add("orphans_unattributed");
        log.warn("PVC {} has an unreadable {} label", pvc.getMetadata().getName(), Labels.DISK_ID);
        continue;
      }
      if (!disks.containsKey(diskId.get())) {
        guarded(report, () -> importOrphan(pvc, diskId.get(), now, report));
      }
    }
    for (Disk d : disks.values()) {
      if (d.deleted() || d.pvcName() == null || pvcByName.containsKey(d.pvcName())) {
        continue;
      }
      if (d.inUse()) {
        // A PVC missing under a live reservation is for the processor to handle; report only.
        report.add("pvc_missing_in_use");
        log.warn("disk {} is in use but its PVC {} is gone", d.id(), d.pvcName());
        continue;
      }
      guarded(report, () -> clearMissingPvc(d, report));
    }
    for (DiskLock lock : reconcile.locksOfEndedReservations(now.minus(lockReleaseGrace))) {
      guarded(report, () -> releaseLock(lock, report));
    }
    if (report.get("errors") > 0) {
      throw new PartialFailureException(report.build());
    }
    return report.build();
  }

  private void guarded(JobReport.Builder report, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      report.add("errors");
      log.warn("reconciliation step failed; the next run retries", e);
    }
  }

  private static Optional<UUID> diskId(PersistentVolumeClaim pvc) {
    String value = pvc.getMetadata().getLabels().get(Labels.DISK_ID);
    try {
      return Optional.of(UUID.fromString(value));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private void importOrphan(
      PersistentVolumeClaim pvc, UUID diskId, Instant now, JobReport.Builder report) {
    String pvcName = pvc.getMetadata().getName();
    String username = pvc.getMetadata().getLabels().get(Labels.USER);
    Optional<User> owner = username == null ? Optional.empty() : users.findByUsername(username);
    if (owner.isEmpty()) {
      report.add("orphans_unattributed");
      log.warn("PVC {} has no row and no known owner ({}); leaving it alone", pvcName, username);
      return;
    }
    int sizeGb = sizeGb(pvc);
    String storageClass = pvc.getSpec() == null ? null : pvc.getSpec().getStorageClassName();
    Disk disk =
        new Disk(
            diskId,
            owner.get().id(),
            "orphan-" + diskId.toString().substring(0, 8),
            sizeGb,
            storageClass,
            null,
            pvcName,
            null,
            null,
            true,
            now,
            null);
    boolean imported =
        jdbi.inTransaction(
            h -> {
              if (!h.attach(ReconcileQueries.class).insertOrphan(disk)) {
                return false;
              }
              Map<String, Object> details = new LinkedHashMap<>();
              details.put("pvcName", pvcName);
              details.put("user", username);
              details.put("sizeGb", sizeGb);
              AuditLog.append(
                  h, ACTOR, "disk.orphan", "disk", diskId.toString(), AuditEvent.SUCCESS, details);
              return true;
            });
    if (imported) {
      report.add("orphans_imported");
      log.info("imported PVC {} as orphaned disk {} of {}", pvcName, diskId, username);
    }
  }

  private static int sizeGb(PersistentVolumeClaim pvc) {
    if (pvc.getSpec() == null
        || pvc.getSpec().getResources() == null
        || pvc.getSpec().getResources().getRequests() == null) {
      return 1;
    }
    Quantity q = pvc.getSpec().getResources().getRequests().get("storage");
    if (q == null) {
      return 1;
    }
    BigDecimal bytes = q.getNumericalAmount();
    long gib = bytes.divide(BigDecimal.valueOf(1L << 30), 0, RoundingMode.CEILING).longValue();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, gib));
  }

  private void clearMissingPvc(Disk d, JobReport.Builder report) {
    boolean cleared =
        jdbi.inTransaction(
            h -> {
              if (!h.attach(ReconcileQueries.class).clearPvc(d.id(), d.pvcName())) {
                return false;
              }
              AuditLog.append(
                  h,
                  ACTOR,
                  "disk.reconcile",
                  "disk",
                  d.id().toString(),
                  AuditEvent.SUCCESS,
                  Map.of("finding", "pvc_missing", "pvcName", d.pvcName()));
              return true;
            });
    if (cleared) {
      report.add("pvc_missing");
      log.info("disk {}: PVC {} is gone; cleared it from the row", d.id(), d.pvcName());
    }
  }

  private void releaseLock(DiskLock lock, JobReport.Builder report) {
    boolean released =
        jdbi.inTransaction(
            h -> {
              if (!h.attach(DiskDao.class).release(lock.diskId(), lock.reservationId())) {
                return false;
              }
              AuditLog.append(
                  h,
                  ACTOR,
                  "disk.unlock",
                  "disk",
                  lock.diskId().toString(),
                  AuditEvent.SUCCESS,
                  Map.of(
                      "reservationId", lock.reservationId().toString(),
                      "reservationStatus", lock.status()));
              return true;
            });
    if (released) {
      report.add("locks_released");
      log.info(
          "released disk {} held by ended reservation {} ({})",
          lock.diskId(),
          lock.reservationId(),
          lock.status());
    }
  }
}
