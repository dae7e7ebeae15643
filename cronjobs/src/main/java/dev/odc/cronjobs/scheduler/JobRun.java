package dev.odc.cronjobs.scheduler;

import dev.odc.core.Checks;
import java.time.Instant;
import java.util.Optional;

/**
 * The last run of one job, as recorded in {@code cronjobs.job_runs}.
 *
 * @param outcome {@code running}, {@code success} or {@code failure}
 * @param finishedAt null while running
 * @param lastSuccessAt the end of the last successful run, null if none yet
 */
public record JobRun(
    String jobName,
    String instanceId,
    Instant startedAt,
    Instant finishedAt,
    Long durationMs,
    String outcome,
    String message,
    Instant lastSuccessAt,
    long runs,
    long failures) {
  public static final String RUNNING = "running";
  public static final String SUCCESS = "success";
  public static final String FAILURE = "failure";

  public JobRun {
    Checks.notBlank(jobName, "jobName");
    Checks.notBlank(instanceId, "instanceId");
    Checks.notNull(startedAt, "startedAt");
    Checks.notBlank(outcome, "outcome");
  }

  public Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccessAt);
  }
}
