package dev.odc.bench;

import dev.odc.cronjobs.expiry.ExpiryJob;
import dev.odc.cronjobs.expiry.ExpirySettings;
import dev.odc.cronjobs.expiry.PodNotifier;
import dev.odc.cronjobs.scheduler.CronjobsMigrations;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.scheduler.PartialFailureException;
import dev.odc.cronjobs.scheduler.RunContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Figure 5: one run of the cronjobs' expiry job over 10,000 ACTIVE reservations (1% of them past
 * their deadline and its grace, so the run enqueues EXPIRE for them), next to the bare SELECT of
 * the live rows it must look at.
 */
final class ExpiryBench {
  private ExpiryBench() {}

  static void run(BenchEnv env, Report report, boolean quick) throws Exception {
    int count = quick ? 500 : 10_000;
    // The job runs in a long-lived service: warm its code up on a small database first, so the
    // timed run measures the sweep and not the JIT.
    if (!quick) {
      Prepared warm = prepare(env, 1000);
      Instant at = Instant.now();
      warm.job().run(new RunContext(at, at, "bench-warmup"));
      bareSelect(warm.db());
    }
    Prepared prepared = prepare(env, count);
    BenchEnv.Db db = prepared.db();
    ExpiryJob job = prepared.job();
    // A bare read first, so both start with the rows in PostgreSQL's cache.
    bareSelect(db);
    Instant now = Instant.now();
    long start = System.nanoTime();
    String summary;
    try {
      JobReport result = job.run(new RunContext(now, now, "bench"));
      summary = result.summary();
    } catch (PartialFailureException e) {
      summary = "partial failure: " + e.getMessage();
    }
    double jobMs = (System.nanoTime() - start) / 1e6;
    long second = System.nanoTime();
    Instant later = Instant.now();
    job.run(new RunContext(later, later, "bench"));
    double repeatMs = (System.nanoTime() - second) / 1e6;
    double[] selects = new double[5];
    long rows = 0;
    for (int i = 0; i < selects.length; i++) {
      long s = System.nanoTime();
      rows = bareSelect(db);
      selects[i] = (System.nanoTime() - s) / 1e6;
    }
    if (!summary.contains("expire_enqueued=" + count / 100)) {
      throw new IllegalStateException("the job did not enqueue the expected expiries: " + summary);
    }
    if (rows != count) {
      throw new IllegalStateException("expected " + count + " live rows, read " + rows);
    }
    double baseline = new Stats(selects).median();
    report.add(
        new Figure(
            "5",
            "Expiry sweep, " + count + " active",
            jobMs,
            "ms",
            "bare SELECT of live rows",
            baseline,
            false,
            "< 1000 ms",
            jobMs < 1000,
            String.format(
                Locale.ROOT,
                "after a warm-up run on 1,000 rows; timed run: %s; a repeat run took %.0f ms",
                summary,
                repeatMs)));
  }

  private record Prepared(BenchEnv.Db db, ExpiryJob job) {}

  /** A fresh database with {@code count} ACTIVE reservations, 1% past deadline, and a job on it. */
  private static Prepared prepare(BenchEnv env, int count) throws Exception {
    BenchEnv.Db db = env.database("expiry");
    CronjobsMigrations.migrate(db.dataSource());
    UUID user = UUID.randomUUID();
    db.jdbi()
        .useHandle(
            h -> {
              h.createUpdate(
                      "insert into users (id, issuer, subject, username) values (:id, 'bench',"
                          + " 'expiry', 'expiry')")
                  .bind("id", user)
                  .execute();
              // Pods are not simulated here, so the rows carry none: the vanished-pod check has
              // nothing to compare and the sweep's own reads and writes are what is timed.
              h.createUpdate(
                      "insert into reservations (id, user_id, username, name, gpu_type, gpu_count,"
                          + " node_count, image, hours, status, created_at, started_at, expires_at,"
                          + " status_history)"
                          + " select gen_random_uuid(), :user, 'expiry', 'r-' || i, 'h100', 1, 1,"
                          + " 'img', 48, 'ACTIVE', now() - interval '1 hour',"
                          + " now() - interval '1 hour',"
                          + " case when i % 100 = 0 then now() - interval '10 minutes'"
                          + " else now() + interval '2 hours' + (i || ' seconds')::interval end,"
                          + " '[]'::jsonb from generate_series(1, :n) i")
                  .bind("user", user)
                  .bind("n", count)
                  .execute();
              h.execute("analyze reservations");
            });
    ExpiryJob job =
        new ExpiryJob(
            db.jdbi(),
            env.kubernetes(),
            new PodNotifier(env.kubernetes(), Duration.ofSeconds(2)),
            Optional.empty(),
            ExpirySettings.defaults(),
            Clock.systemUTC());
    return new Prepared(db, job);
  }

  /** Reads every column of the rows the job must consider, as plain JDBC. */
  private static long bareSelect(BenchEnv.Db db) throws Exception {
    long rows = 0;
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select * from reservations where status in"
                    + " ('ACTIVE', 'EXPIRED') order by created_at, id")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          rs.getObject(i);
        }
        rows++;
      }
    }
    return rows;
  }
}
