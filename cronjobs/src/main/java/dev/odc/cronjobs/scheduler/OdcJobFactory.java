package dev.odc.cronjobs.scheduler;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.quartz.Job;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.spi.JobFactory;
import org.quartz.spi.TriggerFiredBundle;

/**
 * Hands Quartz jobs whose collaborators were built by the application's plain constructors: the job
 * key's name selects the {@link CronTask}. Quartz never instantiates job classes itself.
 */
public final class OdcJobFactory implements JobFactory {
  private final Map<String, CronTask> tasks;
  private final JobRunRecorder recorder;
  private final Clock clock;

  public OdcJobFactory(Iterable<CronTask> tasks, JobRunRecorder recorder, Clock clock) {
    Map<String, CronTask> byName = new LinkedHashMap<>();
    for (CronTask task : tasks) {
      if (byName.put(task.name(), task) != null) {
        throw new IllegalArgumentException("two jobs are named " + task.name());
      }
    }
    this.tasks = Map.copyOf(byName);
    this.recorder = requireNonNull(recorder, "recorder is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public Job newJob(TriggerFiredBundle bundle, Scheduler scheduler) throws SchedulerException {
    String name = bundle.getJobDetail().getKey().getName();
    CronTask task = tasks.get(name);
    if (task == null) {
      // A job stored by a newer or older version of this application that this one does not know.
      throw new SchedulerException("no job named '" + name + "' in this cronjobs instance");
    }
    return new TaskJob(task, recorder, clock);
  }

  public Map<String, CronTask> tasks() {
    return tasks;
  }
}
