package dev.odc.cronjobs.scheduler;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clustered Quartz scheduler on the JDBC job store: every replica shares the tables in schema
 * {@code cronjobs}, and the store's row locks make each firing run on exactly one of them. If a
 * replica dies mid-run, another one recovers the job ({@code requestRecovery}).
 */
public final class QuartzScheduler implements Managed {
  private static final Logger log = LoggerFactory.getLogger(QuartzScheduler.class);

  public static final String SCHEDULER_NAME = "odc-cronjobs";
  public static final String JOB_GROUP = "odc";

  private final DataSource dataSource;
  private final OdcJobFactory jobFactory;
  private final Map<String, Duration> intervals;
  private final String instanceId;
  private final int threads;
  private final Duration clusterCheckin;
  private Scheduler scheduler;

  /**
   * @param intervals how often each job runs, by job name; jobs missing here are not scheduled
   * @param instanceId unique per replica (for example the pod name)
   */
  public QuartzScheduler(
      DataSource dataSource,
      OdcJobFactory jobFactory,
      Map<String, Duration> intervals,
      String instanceId,
      int threads,
      Duration clusterCheckin) {
    this.dataSource = requireNonNull(dataSource, "dataSource is null");
    this.jobFactory = requireNonNull(jobFactory, "jobFactory is null");
    this.intervals = Map.copyOf(new LinkedHashMap<>(intervals));
    this.instanceId = requireNonNull(instanceId, "instanceId is null");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be positive, was " + threads);
    }
    this.threads = threads;
    this.clusterCheckin = requireNonNull(clusterCheckin, "clusterCheckin is null");
    this.intervals.forEach(
        (job, every) -> {
          if (!jobFactory.tasks().containsKey(job)) {
            throw new IllegalArgumentException("a schedule names an unknown job: " + job);
          }
          if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the interval of job " + job + " must be positive");
          }
        });
  }

  @Override
  public synchronized void start() throws SchedulerException {
    CronjobsMigrations.migrate(dataSource);
    // The connection provider registry is JVM-wide; a per-instance name lets several schedulers
    // (tests, the all-in-one sandbox) live in one JVM.
    String dsName = "odc-cronjobs-" + instanceId;
    DBConnectionManager.getInstance()
        .addConnectionProvider(dsName, new DataSourceConnectionProvider(dataSource));
    StdSchedulerFactory factory = new StdSchedulerFactory(quartzProperties(dsName));
    Scheduler created = factory.getScheduler();
    // We keep the reference ourselves. Leaving it in Quartz's JVM-wide repository would hand this
    // very scheduler to a second instance created in the same JVM instead of a new one.
    SchedulerRepository.getInstance().remove(SCHEDULER_NAME);
    created.setJobFactory(jobFactory);
    for (Map.Entry<String, Duration> e : intervals.entrySet()) {
      ensureScheduled(created, e.getKey(), e.getValue());
    }
    created.start();
    scheduler = created;
    log.info("Quartz instance {} started with jobs {}", instanceId, intervals.keySet());
  }

  @Override
  public synchronized void stop() throws SchedulerException {
    if (scheduler != null) {
      // Wait for running jobs: a job cut off halfway would be redone, but need not be.
      scheduler.shutdown(true);
      scheduler = null;
      log.info("Quartz instance {} stopped", instanceId);
    }
  }

  /** Runs a job now, outside its schedule (still once in the cluster, still recorded). */
  public void triggerNow(String job) throws SchedulerException {
    Scheduler current = scheduler;
    if (current == null) {
      throw new SchedulerException("the scheduler is not running");
    }
    current.triggerJob(JobKey.jobKey(job, JOB_GROUP));
  }

  public String instanceId() {
    return instanceId;
  }

  Properties quartzProperties(String dsName) {
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, SCHEDULER_NAME);
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, instanceId);
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
    p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, JobStoreTX.class.getName());
    p.setProperty("org.quartz.jobStore.driverDelegateClass", PostgreSQLDelegate.class.getName());
    p.setProperty("org.quartz.jobStore.dataSource", dsName);
    p.setProperty("org.quartz.jobStore.tablePrefix", CronjobsMigrations.QUARTZ_TABLE_PREFIX);
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty(
        "org.quartz.jobStore.clusterCheckinInterval", Long.toString(clusterCheckin.toMillis()));
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    // Row locks in the LOCKS table, taken with SELECT ... FOR UPDATE: what makes clustering safe.
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    return p;
  }

  /**
   * Creates the job and its trigger unless they exist with the same interval, so a rolling restart
   * does not reset every schedule (and fire every job at once) on each replica.
   */
  private static void ensureScheduled(Scheduler s, String job, Duration every)
      throws SchedulerException {
    JobKey jobKey = JobKey.jobKey(job, JOB_GROUP);
    TriggerKey triggerKey = TriggerKey.triggerKey(job, JOB_GROUP);
    JobDetail detail =
        JobBuilder.newJob(TaskJob.class)
            .withIdentity(jobKey)
            .withDescription("ODC " + job + " job")
            .storeDurably()
            .requestRecovery()
            .build();
    Trigger existing = s.getTrigger(triggerKey);
    if (existing instanceof SimpleTrigger simple
        && simple.getRepeatInterval() == every.toMillis()
        && s.checkExists(jobKey)) {
      return;
    }
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(triggerKey)
            .forJob(jobKey)
            .startNow()
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(every.toMillis())
                    .repeatForever()
                    // After downtime, run once now rather than once per missed firing.
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    s.scheduleJob(detail, Set.of(trigger), true);
    log.info("scheduled job {} every {}", job, every);
  }
}
