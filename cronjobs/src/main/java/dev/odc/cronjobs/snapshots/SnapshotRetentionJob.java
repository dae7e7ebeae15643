package dev.odc.cronjobs.snapshots;

import static java.util.Objects.requireNonNull;

import dev.odc.core.AuditEvent;
import dev.odc.core.DiskSnapshot;
import dev.odc.cronjobs.db.CronQueries;
import dev.odc.cronjobs.scheduler.CronTask;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.scheduler.PartialFailureException;
import dev.odc.cronjobs.scheduler.RunContext;
import dev.odc.cronjobs.snapshots.RetentionPlanner.Deletion;
import dev.odc.cronjobs.snapshots.RetentionPlanner.Plan;
import dev.odc.cronjobs.snapshots.RetentionPlanner.Reason;
import dev.odc.database.AuditLog;
import dev.odc.database.DiskSnapshotDao;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the snapshot retention policy: plans with {@link RetentionPlanner}, deletes through the
 * {@link SnapshotStore}, then marks the row deleted and audits it in one transaction. The store's
 * delete is idempotent, so a run that dies between the two repeats the delete and then records it
 * once.
 */
public final class SnapshotRetentionJob implements CronTask {
  private static final Logger log = LoggerFactory.getLogger(SnapshotRetentionJob.class);

  public static final String NAME = "snapshot-retention";

  /** Who the audit rows of this job name. */
  public static final String ACTOR = "system:cronjobs:" + NAME;

  private final Jdbi jdbi;
  private final CronQueries queries;
  private final SnapshotStore store;
  private final RetentionPlanner planner;
  private final Clock clock;

  public SnapshotRetentionJob(Jdbi jdbi, SnapshotStore store, RetentionPolicy policy, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.queries = jdbi.onDemand(CronQueries.class);
    this.store = requireNonNull(store, "store is null");
    this.planner = new RetentionPlanner(policy);
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public JobReport run(RunContext context) {
    Instant now = clock.instant();
    CronQueries q = queries;
    Plan plan = planner.plan(q.allDisks(), q.liveSnapshots(), now);
    JobReport.Builder report =
        new JobReport.Builder()
            .zero("deleted", "never_ready", "errors")
            .add("kept", plan.kept())
            .add("deferred", plan.deferred());
    for (Deletion d : plan.deletions()) {
      DiskSnapshot s = d.snapshot();
      if (d.reason() == Reason.NEVER_READY) {
        report.add("never_ready");
        log.warn(
            "snapshot {} of disk {} never became ready (created {}); removing it",
            s.snapshotName(),
            s.diskId(),
            s.createdAt());
      }
      try {
        store.delete(s);
        boolean recorded =
            jdbi.inTransaction(
                h -> {
                  if (!h.attach(DiskSnapshotDao.class).markDeleted(s.id(), now)) {
                    return false;
                  }
                  Map<String, Object> details = new LinkedHashMap<>();
                  details.put("snapshotName", s.snapshotName());
                  details.put("diskId", s.diskId().toString());
                  details.put("reason", d.reason().name().toLowerCase(Locale.ROOT));
                  details.put("createdAt", s.createdAt().toString());
                  if (s.cloudSnapshotId() != null) {
                    details.put("cloudSnapshotId", s.cloudSnapshotId());
                  }
                  AuditLog.append(
                      h,
                      ACTOR,
                      "disk.snapshot.delete",
                      "disk_snapshot",
                      s.id().toString(),
                      AuditEvent.SUCCESS,
                      details);
                  return true;
                });
        if (recorded) {
          report.add("deleted");
        }
      } catch (SnapshotStore.SnapshotDeletionException | RuntimeException e) {
        report.add("errors");
        log.warn("could not delete snapshot {}; the next run retries", s.snapshotName(), e);
      }
    }
    if (report.get("errors") > 0) {
      throw new PartialFailureException(report.build());
    }
    return report.build();
  }
}
