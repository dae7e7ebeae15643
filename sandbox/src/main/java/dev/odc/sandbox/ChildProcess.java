package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process of the launcher, its output in a log file, destroyed with its descendants when
 * the sandbox stops (also when the launcher's JVM exits on Ctrl-C).
 */
final class ChildProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

  private final String name;
  private final Process process;
  private final Path logFile;

  private ChildProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  static ChildProcess start(String name, ProcessBuilder builder, Path logFile) throws IOException {
    requireNonNull(name, "name is null");
    Files.createDirectories(logFile.getParent());
    builder.redirectErrorStream(true);
    builder.redirectOutput(logFile.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process process = builder.start();
    log.info("Started the {} (pid {}), log in {}", name, process.pid(), logFile);
    return new ChildProcess(name, process, logFile);
  }

  /**
   * JVM options that make a short-lived helper JVM start fast: class data sharing archived on the
   * first run, and no time spent in the optimising compiler.
   */
  static List<String> fastStartJvmOptions(Path archive) {
    return List.of(
        "-XX:+AutoCreateSharedArchive",
        "-XX:SharedArchiveFile=" + archive.toAbsolutePath(),
        "-XX:TieredStopAtLevel=1",
        "-Xshare:auto");
  }

  /** Polls {@code url} until it answers 200, failing early if the process dies. */
  void awaitHttpOk(String url, Duration timeout) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
      while (true) {
        if (!process.isAlive()) {
          throw new IOException(
              "the "
                  + name
                  + " exited with code "
                  + process.exitValue()
                  + " during start-up; its log is "
                  + logFile);
        }
        try {
          if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // Not listening yet.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the " + name, e);
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IOException(
              "the "
                  + name
                  + " did not answer at "
                  + url
                  + " within "
                  + timeout
                  + "; log: "
                  + logFile);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      // A JVM child may spend a few seconds writing its class data archive on exit.
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        log.warn("The {} did not stop within 20 s; killing it", name);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
