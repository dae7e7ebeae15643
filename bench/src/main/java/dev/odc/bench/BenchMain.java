package dev.odc.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/bench [--quick] [--only 1,4,6] [--out path]}: runs ODC's benchmarks, prints the table
 * and writes the JSON. A benchmark that fails is reported as FAILED and the others still run; the
 * exit code is non-zero when any failed.
 */
public final class BenchMain {
  /** One benchmark: adds its figures to the report or throws. */
  interface Bench {
    void run(BenchEnv env, Report report, boolean quick) throws Exception;
  }

  static final Map<String, Bench> BENCHMARKS = new LinkedHashMap<>();

  static {
    BENCHMARKS.put("1", ReserveBench::run);
    BENCHMARKS.put("2", PodLatencyBench::run);
    BENCHMARKS.put("3", ProcessorBench::run);
    BENCHMARKS.put("4", (env, report, quick) -> AvailabilityBench.run(report, quick));
    BENCHMARKS.put("5", ExpiryBench::run);
    BENCHMARKS.put("6", TokenBench::run);
    BENCHMARKS.put("7", CliBench::run);
    BENCHMARKS.put("8", SshTunnelBench::run);
  }

  /** Held so the JUL settings below are not garbage-collected away. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private BenchMain() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int code;
    try {
      code = run(args, out).failures().isEmpty() ? 0 : 1;
    } catch (IllegalArgumentException e) {
      out.println("bench: " + e.getMessage());
      out.println("usage: bench [--quick] [--only 1,4,6] [--out bench/results/latest.json]");
      code = 2;
    }
    // Informers, pools and Jetty leave non-daemon threads behind; the report is written.
    System.exit(code);
  }

  /** Runs the selected benchmarks; returns the report (already printed and written). */
  public static Report run(String[] args, PrintStream out) {
    boolean quick = false;
    Set<String> only = new LinkedHashSet<>(BENCHMARKS.keySet());
    Path file = Path.of("bench", "results", "latest.json");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--only" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--only needs a list, e.g. --only 1,4,6");
          }
          only = new LinkedHashSet<>();
          for (String id : args[++i].split(",")) {
            String trimmed = id.trim();
            if (!BENCHMARKS.containsKey(trimmed)) {
              throw new IllegalArgumentException(
                  "no benchmark " + trimmed + "; they are " + BENCHMARKS.keySet());
            }
            only.add(trimmed);
          }
        }
        case "--out" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--out needs a file name");
          }
          file = Path.of(args[++i]);
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    // The mock API server logs every request at INFO through java.util.logging.
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    Report report = new Report(quick);
    try (BenchEnv env = new BenchEnv()) {
      for (String id : only) {
        out.printf("bench: running %s%s ...%n", id, quick ? " (quick)" : "");
        long start = System.nanoTime();
        try {
          BENCHMARKS.get(id).run(env, report, quick);
        } catch (Exception | AssertionError e) {
          report.failed(id, e instanceof Exception ex ? ex : new IllegalStateException(e));
          out.printf("bench: %s FAILED: %s%n", id, e);
        }
        out.printf("bench: %s took %.1f s%n", id, (System.nanoTime() - start) / 1e9);
      }
    }
    report.printTable(out);
    try {
      report.writeJson(file);
      out.println("bench: wrote " + file);
    } catch (java.io.IOException e) {
      report.failed("json", e);
      out.println("bench: could not write " + file + ": " + e);
    }
    return report;
  }
}
