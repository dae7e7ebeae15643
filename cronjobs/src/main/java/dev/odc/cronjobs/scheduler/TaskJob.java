package dev.odc.cronjobs.scheduler;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz face of a {@link CronTask}: records the run, turns failures into a recorded outcome
 * instead of a Quartz error, and never runs two firings of the same job at once in the cluster.
 */
@DisallowConcurrentExecution
public final class TaskJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(TaskJob.class);

  private final CronTask task;
  private final JobRunRecorder recorder;
  private final Clock clock;

  TaskJob(CronTask task, JobRunRecorder recorder, Clock clock) {
    this.task = requireNonNull(task, "task is null");
    this.recorder = requireNonNull(recorder, "recorder is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public void execute(JobExecutionContext context) throws JobExecutionException {
    String instanceId;
    try {
      instanceId = context.getScheduler().getSchedulerInstanceId();
    } catch (SchedulerException e) {
      throw new JobExecutionException("cannot read the scheduler instance id", e, false);
    }
    Instant scheduled =
        context.getScheduledFireTime() == null
            ? clock.instant()
            : context.getScheduledFireTime().toInstant();
    RunContext run = new RunContext(scheduled, clock.instant(), instanceId);
    Instant started = recorder.started(task.name(), instanceId);
    try {
      JobReport report = task.run(run);
      recorder.succeeded(task.name(), started, report);
      log.info("job {} done on {}: {}", task.name(), instanceId, report.summary());
    } catch (Exception | LinkageError e) {
      // Recorded and logged here, once; the next firing retries the whole (idempotent) run.
      log.error("job {} failed on {}", task.name(), instanceId, e);
      try {
        recorder.failed(task.name(), started, e);
      } catch (RuntimeException recordError) {
        log.error("could not record the failure of job {}", task.name(), recordError);
      }
    }
  }
}
