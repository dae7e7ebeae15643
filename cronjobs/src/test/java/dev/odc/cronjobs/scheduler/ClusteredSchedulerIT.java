package dev.odc.cronjobs.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import dev.odc.database.testing.PostgresExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusteredSchedulerIT {
  @RegisterExtension static final PostgresExtension db = new PostgresExtension();

  private Jdbi jdbi;
  private QuartzScheduler a;
  private QuartzScheduler b;

  @BeforeEach
  void setUp() {
    jdbi = Jdbi.create(db.dataSource());
    jdbi.useHandle(
        h -> {
          h.execute("DROP SCHEMA IF EXISTS cronjobs CASCADE");
          h.execute("DROP TABLE IF EXISTS tick_effects");
          h.execute(
              "CREATE TABLE tick_effects (id BIGSERIAL PRIMARY KEY, fire_time TIMESTAMPTZ NOT NULL,"
                  + " instance TEXT NOT NULL)");
        });
  }

  @AfterEach
  void tearDown() throws Exception {
    if (a != null) {
      a.stop();
    }
    if (b != null) {
      b.stop();
    }
  }

  /** A job whose every run leaves one row: the effect we count. */
  private CronTask tick(AtomicInteger failuresLeft) {
    return new CronTask() {
      @Override
      public String name() {
        return "tick";
      }

      @Override
      public JobReport run(RunContext context) {
        if (failuresLeft.getAndDecrement() > 0) {
          throw new IllegalStateException("injected crash");
        }
        jdbi.useHandle(
            h ->
                h.createUpdate("INSERT INTO tick_effects (fire_time, instance) VALUES (:t, :i)")
                    .bind("t", context.scheduledFireTime())
                    .bind("i", context.instanceId())
                    .execute());
        return new JobReport.Builder().add("ticks").build();
      }
    };
  }

  private QuartzScheduler scheduler(String instance, CronTask task, JobRunRecorder recorder) {
    OdcJobFactory factory = new OdcJobFactory(List.of(task), recorder, Clock.systemUTC());
    return new QuartzScheduler(
        db.dataSource(),
        factory,
        Map.of("tick", Duration.ofMillis(500)),
        instance,
        2,
        Duration.ofSeconds(2));
  }

  @Test
  void twoInstancesRunEachFiringOnce() throws Exception {
    JobRunRecorder recorder = new JobRunRecorder(jdbi, new MetricRegistry(), Clock.systemUTC());
    AtomicInteger noFailures = new AtomicInteger();
    a = scheduler("replica-a", tick(noFailures), recorder);
    b = scheduler("replica-b", tick(noFailures), recorder);
    a.start();
    b.start();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                jdbi.withHandle(
                        h ->
                            h.createQuery("SELECT count(*) FROM tick_effects")
                                .mapTo(Long.class)
                                .one())
                    >= 12);
    a.stop();
    b.stop();

    long rows =
        jdbi.withHandle(
            h -> h.createQuery("SELECT count(*) FROM tick_effects").mapTo(Long.class).one());
    long distinctFirings =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT count(DISTINCT fire_time) FROM tick_effects")
                    .mapTo(Long.class)
                    .one());
    assertThat(rows).isGreaterThanOrEqualTo(12).isEqualTo(distinctFirings);
    long members =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM cronjobs.qrtz_scheduler_state WHERE sched_name = :n")
                    .bind("n", QuartzScheduler.SCHEDULER_NAME)
                    .mapTo(Long.class)
                    .one());
    assertThat(members).as("both replicas joined the cluster").isEqualTo(2);
    JobRun run = recorder.find("tick").orElseThrow();
    assertThat(run.outcome()).isEqualTo(JobRun.SUCCESS);
    assertThat(run.runs()).isEqualTo(rows);
    assertThat(run.durationMs()).isNotNull();
  }

  @Test
  void aCrashedRunIsRecordedAndTheNextFiringRunsAgain() throws Exception {
    MetricRegistry metrics = new MetricRegistry();
    JobRunRecorder recorder = new JobRunRecorder(jdbi, metrics, Clock.systemUTC());
    a = scheduler("replica-a", tick(new AtomicInteger(1)), recorder);
    a.start();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> recorder.find("tick").map(r -> r.failures() == 1 && r.runs() >= 2).orElse(false));
    a.stop();

    assertThat(metrics.counter("cronjobs.tick.failure").getCount()).isEqualTo(1);
    assertThat(metrics.counter("cronjobs.tick.success").getCount()).isGreaterThanOrEqualTo(1);
    assertThat(recorder.find("tick").orElseThrow().lastSuccess()).isPresent();
  }

  @Test
  void restartKeepsTheExistingSchedule() throws Exception {
    JobRunRecorder recorder = new JobRunRecorder(jdbi, new MetricRegistry(), Clock.systemUTC());
    a = scheduler("replica-a", tick(new AtomicInteger()), recorder);
    a.start();
    long start1 = startTime();
    a.stop();
    a = scheduler("replica-a", tick(new AtomicInteger()), recorder);
    a.start();
    assertThat(startTime()).isEqualTo(start1);
  }

  private long startTime() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT start_time FROM cronjobs.qrtz_triggers WHERE trigger_name = 'tick'")
                .mapTo(Long.class)
                .one());
  }
}
