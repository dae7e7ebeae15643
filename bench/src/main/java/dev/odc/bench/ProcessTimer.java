package dev.odc.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Times whole processes, the way a user feels a command's start-up. */
final class ProcessTimer {
  private ProcessTimer() {}

  /**
   * Runs each command {@code runs} times after one warm-up, alternating between them so drift in
   * the machine's speed hits both alike; returns the wall-time samples in milliseconds.
   */
  static double[][] timeAlternating(
      List<List<String>> commands, Map<String, String> env, Path dir, int runs)
      throws IOException, InterruptedException {
    double[][] samples = new double[commands.size()][runs];
    for (List<String> command : commands) {
      runOnce(command, env, dir);
    }
    for (int run = 0; run < runs; run++) {
      for (int c = 0; c < commands.size(); c++) {
        samples[c][run] = runOnce(commands.get(c), env, dir) / 1e6;
      }
    }
    return samples;
  }

  /** Runs one command to completion and returns its wall time in nanoseconds. */
  static long runOnce(List<String> command, Map<String, String> env, Path dir)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    long start = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    long elapsed = System.nanoTime() - start;
    if (process.exitValue() != 0) {
      throw new IOException(
          "exit code " + process.exitValue() + " from: " + String.join(" ", command));
    }
    return elapsed;
  }
}
