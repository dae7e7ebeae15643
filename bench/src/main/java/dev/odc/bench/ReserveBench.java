package dev.odc.bench;

import dev.odc.api.ApiConfiguration;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figure 1: POST /v1/reservations with valid tokens at 1, 16 and 64 concurrent clients, next to
 * pgbench running the same SQL transaction (reservation insert + audit insert + pgmq.send) at 16
 * clients against the same PostgreSQL server.
 */
final class ReserveBench {
  static final String PGBENCH = "/usr/lib/postgresql/15/bin/pgbench";
  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");

  private ReserveBench() {}

  /** What one level of concurrency gave. */
  record Level(int clients, double perSecond, Stats latencies, long errors) {}

  static void run(BenchEnv env, Report report, boolean quick) throws Exception {
    Duration each = quick ? Duration.ofSeconds(1) : Duration.ofSeconds(10);
    BenchEnv.Db db = env.database("reserve");
    DropwizardTestSupport<ApiConfiguration> api = env.startApi(db);
    List<Level> levels = new ArrayList<>();
    try {
      URI uri = URI.create("http://127.0.0.1:" + api.getLocalPort() + "/v1/reservations");
      TokenIssuer issuer = env.issuer();
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        tokens.add(issuer.token("load" + i));
      }
      // Warm-up: JIT, pools, and every user's first login.
      load(uri, tokens, 64, quick ? Duration.ofSeconds(1) : Duration.ofSeconds(5));
      for (int clients : new int[] {1, 16, 64}) {
        levels.add(load(uri, tokens, clients, each));
      }
    } finally {
      api.after();
    }
    double pgbench = pgbench(env, db, 16, each);
    Level at16 = levels.get(1);
    for (Level level : levels) {
      boolean main = level.clients() == 16;
      double p99 = level.latencies().percentile(99);
      report.add(
          new Figure(
              "1." + level.clients(),
              "Reserve POST, " + level.clients() + " clients",
              level.perSecond(),
              "req/s",
              "pgbench same txn, 16 clients",
              pgbench,
              true,
              main ? "≥ 60% of baseline, p99 ≤ 50 ms" : "p99 ≤ 50 ms",
              (!main || level.perSecond() >= 0.6 * pgbench) && p99 <= 50,
              String.format(
                  Locale.ROOT,
                  "p50 %.1f ms, p99 %.1f ms, %d requests, %d errors",
                  level.latencies().median(),
                  p99,
                  level.latencies().count(),
                  level.errors())));
    }
    if (at16.errors() > 0) {
      throw new IllegalStateException(at16.errors() + " reservations were refused at 16 clients");
    }
  }

  /** {@code clients} threads, each with its own connection and user, posting for {@code time}. */
  static Level load(URI uri, List<String> tokens, int clients, Duration time) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long end = System.nanoTime() + time.toNanos();
    AtomicLong errors = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    List<Future<long[]>> results = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      String token = tokens.get(c % tokens.size());
      results.add(
          pool.submit(
              () -> {
                HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                long[] samples = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end && n < samples.length) {
                  String body =
                      "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"name\":\"b"
                          + sequence.incrementAndGet()
                          + "\"}";
                  HttpRequest request =
                      HttpRequest.newBuilder(uri)
                          .header("Authorization", "Bearer " + token)
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString(body))
                          .build();
                  long t0 = System.nanoTime();
                  HttpResponse<String> response =
                      http.send(request, HttpResponse.BodyHandlers.ofString());
                  long t1 = System.nanoTime();
                  if (response.statusCode() != 202) {
                    if (errors.incrementAndGet() == 1) {
                      System.err.println(
                          "bench: reserve answered "
                              + response.statusCode()
                              + ": "
                              + response.body());
                    }
                    continue;
                  }
                  samples[n++] = t1 - t0;
                }
                long[] used = new long[n];
                System.arraycopy(samples, 0, used, 0, n);
                return used;
              }));
    }
    List<long[]> all = new ArrayList<>();
    for (Future<long[]> f : results) {
      all.add(f.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    int total = all.stream().mapToInt(a -> a.length).sum();
    if (total == 0) {
      throw new IllegalStateException("no reservation was accepted (" + errors.get() + " errors)");
    }
    long[] merged = new long[total];
    int at = 0;
    for (long[] a : all) {
      System.arraycopy(a, 0, merged, at, a.length);
      at += a.length;
    }
    return new Level(clients, total / seconds, Stats.ofNanos(merged, total), errors.get());
  }

  /** pgbench with the API's transaction, prepared statements, on the same server; returns tps. */
  static double pgbench(BenchEnv env, BenchEnv.Db db, int clients, Duration time)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(PGBENCH))) {
      throw new IOException(PGBENCH + " is missing (bin/bench installs postgresql-15 when root)");
    }
    String user = ProcessorBench.user(db, "pgbench").id().toString();
    // The statements ReservationService's create runs: the row, its audit entry and the queue
    // message, in one transaction. pgbench takes ":word" for a variable even inside quotes, so
    // the image's colon is chr(58).
    String script =
        """
        BEGIN;
        INSERT INTO reservations (id, user_id, username, name, gpu_type, gpu_count, node_count, image, hours, disk_name, labels, status, created_at, warnings_sent, status_history, version) VALUES (gen_random_uuid(), '%s', 'pgbench', 'pg-' || gen_random_uuid(), 'h100', 1, 1, 'registry.example.com/odc/devserver' || chr(58) || 'latest', 1, NULL, jsonb_build_object(), 'PENDING', now(), '{}', jsonb_build_array(jsonb_build_object('status', 'PENDING', 'at', now(), 'actor', 'pgbench')), 0);
        INSERT INTO audit_log (actor, action, resource_type, resource_id, outcome, details) VALUES ('pgbench', 'reservation.create', 'reservation', gen_random_uuid()::text, 'success', jsonb_build_object('gpuType', 'h100', 'gpuCount', 1));
        SELECT * FROM pgmq.send('reservations', jsonb_build_object('action', 'PROVISION', 'reservationId', gen_random_uuid()), 0);
        END;
        """
            .formatted(user);
    Path file = Files.createTempFile("odc-bench", ".sql");
    Files.writeString(file, script, StandardCharsets.UTF_8);
    List<String> command =
        List.of(
            PGBENCH,
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(db.port()),
            "-U",
            "postgres",
            "-n",
            "-M",
            "prepared",
            "-c",
            Integer.toString(clients),
            "-j",
            "2",
            "-T",
            Long.toString(Math.max(1, time.toSeconds())),
            "-f",
            file.toString(),
            db.name());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PGPASSWORD", "postgres");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(time.toSeconds() + 60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("pgbench failed: " + output);
    }
    Files.deleteIfExists(file);
    Matcher m = TPS.matcher(output);
    if (!m.find()) {
      throw new IOException("no tps in pgbench output: " + output);
    }
    return Double.parseDouble(m.group(1));
  }
}
