package dev.odc.cronjobs.scheduler;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Records each job's last run in {@code cronjobs.job_runs} (shared by all replicas, since a job may
 * run on any of them) and publishes metrics: a timer {@code cronjobs.<job>.duration}, counters
 * {@code cronjobs.<job>.success|failure} and gauges {@code cronjobs.<job>.last.<kind>} with the
 * counts of the last run this instance did.
 */
public final class JobRunRecorder {
  private static final int MAX_MESSAGE = 2000;

  private final Jdbi jdbi;
  private final MetricRegistry metrics;
  private final Clock clock;
  private final Map<String, AtomicLong> lastCounts = new ConcurrentHashMap<>();

  public JobRunRecorder(Jdbi jdbi, MetricRegistry metrics, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Marks the job as running on {@code instanceId}; returns the start time. */
  public Instant started(String job, String instanceId) {
    Instant now = clock.instant();
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO cronjobs.job_runs (job_name, instance_id, started_at, outcome)
                    VALUES (:job, :instance, :now, 'running')
                    ON CONFLICT (job_name) DO UPDATE
                      SET instance_id = :instance, started_at = :now, finished_at = NULL,
                          duration_ms = NULL, outcome = 'running', message = NULL
                    """)
                .bind("job", job)
                .bind("instance", instanceId)
                .bind("now", now)
                .execute());
    return now;
  }

  public void succeeded(String job, Instant startedAt, JobReport report) {
    finished(job, startedAt, JobRun.SUCCESS, report.summary());
    metrics.counter(MetricRegistry.name("cronjobs", job, "success")).inc();
    report
        .counts()
        .forEach(
            (kind, n) -> {
              String name = MetricRegistry.name("cronjobs", job, "last", kind);
              AtomicLong holder = lastCounts.computeIfAbsent(name, k -> new AtomicLong());
              holder.set(n);
              metrics.gauge(name, () -> (Gauge<Long>) holder::get);
              metrics.counter(MetricRegistry.name("cronjobs", job, "total", kind)).inc(n);
            });
  }

  public void failed(String job, Instant startedAt, Throwable error) {
    String message = error.getClass().getSimpleName() + ": " + error.getMessage();
    finished(job, startedAt, JobRun.FAILURE, message);
    metrics.counter(MetricRegistry.name("cronjobs", job, "failure")).inc();
  }

  private void finished(String job, Instant startedAt, String outcome, String message) {
    Instant now = clock.instant();
    long ms = Duration.between(startedAt, now).toMillis();
    metrics
        .timer(MetricRegistry.name("cronjobs", job, "duration"))
        .update(ms, TimeUnit.MILLISECONDS);
    String trimmed =
        message == null || message.length() <= MAX_MESSAGE
            ? message
            : message.substring(0, MAX_MESSAGE);
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    UPDATE cronjobs.job_runs
                       SET finished_at = :now, duration_ms = :ms, outcome = :outcome,
                           message = :message, runs = runs + 1,
                           failures = failures + CASE WHEN :outcome = 'failure' THEN 1 ELSE 0 END,
                           last_success_at = CASE WHEN :outcome = 'success' THEN :now
                                                  ELSE last_success_at END
                     WHERE job_name = :job
                    """)
                .bind("job", job)
                .bind("now", now)
                .bind("ms", ms)
                .bind("outcome", outcome)
                .bind("message", trimmed)
                .execute());
  }

  public Optional<JobRun> find(String job) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM cronjobs.job_runs WHERE job_name = :job")
                .bind("job", job)
                .map(JobRunRecorder::mapRun)
                .findOne());
  }

  public List<JobRun> all() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM cronjobs.job_runs ORDER BY job_name")
                .map(JobRunRecorder::mapRun)
                .list());
  }

  private static JobRun mapRun(ResultSet rs, StatementContext c) throws SQLException {
    return new JobRun(
        rs.getString("job_name"),
        rs.getString("instance_id"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        (Long) rs.getObject("duration_ms"),
        rs.getString("outcome"),
        rs.getString("message"),
        instant(rs, "last_success_at"),
        rs.getLong("runs"),
        rs.getLong("failures"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }
}
