package dev.odc.cronjobs;

import dev.odc.core.service.ServiceApplication;
import dev.odc.cronjobs.JobsConfiguration.Schedule;
import dev.odc.cronjobs.availability.AvailabilityJob;
import dev.odc.cronjobs.expiry.ExpiryJob;
import dev.odc.cronjobs.expiry.PodNotifier;
import dev.odc.cronjobs.expiry.WebhookNotifier;
import dev.odc.cronjobs.reconcile.ReconciliationJob;
import dev.odc.cronjobs.scheduler.CronTask;
import dev.odc.cronjobs.scheduler.JobRunRecorder;
import dev.odc.cronjobs.scheduler.OdcJobFactory;
import dev.odc.cronjobs.scheduler.QuartzScheduler;
import dev.odc.cronjobs.snapshots.SnapshotRetentionJob;
import dev.odc.cronjobs.snapshots.SnapshotStore;
import dev.odc.cronjobs.snapshots.StorageBackendSnapshotStore;
import dev.odc.database.Database;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The cronjobs service: a clustered Quartz scheduler running the availability, expiry, snapshot
 * retention and reconciliation jobs. Run {@code java -jar cronjobs.jar server config.yml}.
 */
public class CronjobsApplication extends ServiceApplication<CronjobsConfiguration> {

  public static void main(String[] args) throws Exception {
    new CronjobsApplication().run(args);
  }

  @Override
  public String getName() {
    return "odc-cronjobs";
  }

  @Override
  public void initialize(Bootstrap<CronjobsConfiguration> bootstrap) {
    super.initialize(bootstrap);
  }

  @Override
  public void run(CronjobsConfiguration config, Environment environment) throws Exception {
    ManagedDataSource dataSource = config.getDatabase().build(environment.metrics(), "postgresql");
    environment.lifecycle().manage(dataSource);
    Database.migrate(dataSource);
    Jdbi jdbi = Database.jdbi(dataSource);
    Clock clock = Clock.systemUTC();

    KubernetesClientManager kube = new KubernetesClientManager(config.getKubernetes().build());
    environment.lifecycle().manage(kube);

    JobRunRecorder recorder = new JobRunRecorder(jdbi, environment.metrics(), clock);
    Optional<CloudProvider> cloud = Optional.empty();
    if (config.getCloud().isPresent()) {
      CloudProvider provider = config.getCloud().get().build();
      environment.lifecycle().manage(new CloudProviderManager(provider));
      cloud = Optional.of(provider);
    }
    SnapshotStore snapshots =
        new StorageBackendSnapshotStore(
            new KubernetesStorageBackend(kube.client(), config.getStorage()),
            config.getStorage().getNamespace(),
            cloud);
    Jobs jobs = jobs(config, jdbi, kube.client(), snapshots, clock);
    QuartzScheduler scheduler =
        new QuartzScheduler(
            dataSource,
            new OdcJobFactory(jobs.tasks(), recorder, clock),
            jobs.intervals(),
            instanceId(config.getScheduler().getInstanceId()),
            config.getScheduler().getThreads(),
            config.getScheduler().getClusterCheckin().toJavaDuration());
    environment.lifecycle().manage(scheduler);
    servePrometheus(environment);
    environment
        .healthChecks()
        .register(
            "jobs",
            new JobsHealthCheck(
                recorder, jobs.intervals(), config.getScheduler().getStaleAfterIntervals(), clock));
  }

  /** The jobs and their intervals, built from configuration; also usable in-JVM (sandbox). */
  public record Jobs(List<CronTask> tasks, Map<String, Duration> intervals) {}

  /**
   * Builds the four jobs from configuration. The sandbox and benches can call this (or the job
   * constructors directly) and run a job in-JVM with {@code job.run(new RunContext(now, now,
   * "local"))}, without Quartz.
   */
  public static Jobs jobs(
      CronjobsConfiguration config,
      Jdbi jdbi,
      KubernetesClient kubernetes,
      SnapshotStore snapshots,
      Clock clock) {
    JobsConfiguration j = config.getJobs();
    String namespace = config.getKubernetes().getNamespace();
    List<CronTask> tasks = new ArrayList<>();
    Map<String, Duration> intervals = new LinkedHashMap<>();
    add(
        tasks,
        intervals,
        j.getAvailability(),
        new AvailabilityJob(jdbi, kubernetes, config.getKubernetes().getGpuTypeLabel(), clock));
    String hook = j.getExpiry().getWebhookUrl();
    Optional<WebhookNotifier> webhook =
        hook == null || hook.isBlank()
            ? Optional.empty()
            : Optional.of(new WebhookNotifier(URI.create(hook), Duration.ofSeconds(10)));
    add(
        tasks,
        intervals,
        j.getExpiry(),
        new ExpiryJob(
            jdbi,
            kubernetes,
            new PodNotifier(kubernetes, j.getExpiry().execTimeout()),
            webhook,
            j.getExpiry().settings(),
            clock));
    add(
        tasks,
        intervals,
        j.getSnapshotRetention(),
        new SnapshotRetentionJob(jdbi, snapshots, j.getSnapshotRetention().policy(), clock));
    add(
        tasks,
        intervals,
        j.getReconciliation(),
        new ReconciliationJob(jdbi, kubernetes, namespace, Duration.ofMinutes(10), clock));
    return new Jobs(tasks, intervals);
  }

  private static void add(
      List<CronTask> tasks, Map<String, Duration> intervals, Schedule schedule, CronTask task) {
    tasks.add(task);
    if (schedule.isEnabled()) {
      intervals.put(task.name(), schedule.getInterval().toJavaDuration());
    }
  }

  private static String instanceId(String configured) throws UnknownHostException {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    return InetAddress.getLocalHost().getHostName();
  }
}
