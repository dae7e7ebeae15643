package dev.odc.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Runs gpu-dev in-process, as picocli's testing guide shows, with its own environment. */
final class CliRunner {
  private final Map<String, String> env = new HashMap<>();
  private Clock clock = Clock.systemUTC();

  CliRunner(Path configHome) {
    env.put("XDG_CONFIG_HOME", configHome.toString());
    env.put("HOME", configHome.toString());
  }

  CliRunner env(String key, String value) {
    if (value == null) {
      env.remove(key);
    } else {
      env.put(key, value);
    }
    return this;
  }

  CliRunner clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  Path configDir() {
    return Path.of(env.get("XDG_CONFIG_HOME"), "gpu-dev");
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        GpuDev.run(
            new GpuDev(env, clock), new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Starts gpu-dev in the background; its output can be read while it runs. */
  Running start(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    GpuDev root = new GpuDev(env, clock);
    CompletableFuture<Result> result =
        CompletableFuture.supplyAsync(
            () -> {
              int code =
                  GpuDev.run(root, new PrintWriter(out, true), new PrintWriter(err, true), args);
              return new Result(code, out.toString(), err.toString());
            });
    return new Running(result, out, err);
  }

  record Running(CompletableFuture<Result> result, StringWriter outBuffer, StringWriter errBuffer) {
    String err() {
      return errBuffer.toString();
    }
  }

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }
}
