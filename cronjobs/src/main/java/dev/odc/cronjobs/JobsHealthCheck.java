package dev.odc.cronjobs;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.health.HealthCheck;
import dev.odc.cronjobs.scheduler.JobRun;
import dev.odc.cronjobs.scheduler.JobRunRecorder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unhealthy when a scheduled job's last run failed, or when it has not succeeded for {@code
 * staleAfterIntervals} of its intervals (counted from this instance's start for a job that never
 * ran). Reads the shared run records, so every replica reports on the whole cluster's jobs.
 */
public final class JobsHealthCheck extends HealthCheck {
  private final JobRunRecorder recorder;
  private final Map<String, Duration> intervals;
  private final int staleAfterIntervals;
  private final Clock clock;
  private final Instant startedAt;

  public JobsHealthCheck(
      JobRunRecorder recorder,
      Map<String, Duration> intervals,
      int staleAfterIntervals,
      Clock clock) {
    this.recorder = requireNonNull(recorder, "recorder is null");
    this.intervals = Map.copyOf(intervals);
    this.staleAfterIntervals = staleAfterIntervals;
    this.clock = requireNonNull(clock, "clock is null");
    this.startedAt = clock.instant();
  }

  @Override
  protected Result check() {
    Instant now = clock.instant();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Duration> e : intervals.entrySet()) {
      String job = e.getKey();
      Duration limit = e.getValue().multipliedBy(staleAfterIntervals);
      Optional<JobRun> run = recorder.find(job);
      if (run.isPresent() && JobRun.FAILURE.equals(run.get().outcome())) {
        problems.add(job + ": last run failed: " + run.get().message());
        continue;
      }
      Instant since = run.flatMap(JobRun::lastSuccess).orElse(startedAt);
      if (since.plus(limit).isBefore(now)) {
        problems.add(job + ": no successful run since " + since);
      }
    }
    return problems.isEmpty()
        ? Result.healthy("%d jobs ok", intervals.size())
        : Result.unhealthy(String.join("; ", problems));
  }
}
