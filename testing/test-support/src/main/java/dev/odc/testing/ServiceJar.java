package dev.odc.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service's runnable (shaded) jar started as its own process, the way its container runs it
 * ({@code java -jar <jar> <args>}), with the JDK that runs the tests. Shared by the services' jar
 * tests (this test-jar is the one every service already depends on). The process gets a clean
 * environment for ODC: inherited {@code ODC_*}, {@code *JAVA_OPT*} and {@code KUBECONFIG} variables
 * are removed before the given ones are set; its output (stdout and stderr) goes to one log file.
 */
public final class ServiceJar {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path jar;
  private final Path workDir;
  private int started;

  /**
   * @param jar the shaded jar, which must exist (built in {@code package}, before Failsafe runs)
   * @param workDir a per-test folder for the JVM's temp dir and the logs
   */
  public ServiceJar(Path jar, Path workDir) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "the service jar " + jar + " is missing: it is built in the package phase");
    }
    this.jar = jar;
    this.workDir = workDir;
  }

  /** What a finished run exited with and printed. */
  public record Run(int exit, String output) {}

  /** A started process and the log its output goes to. */
  public record Started(Process process, Path log) {
    /** Everything the process printed so far. */
    public String output() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Polls the service's admin {@code /healthcheck} until the health check named {@code check} is
     * healthy.
     *
     * @throws AssertionError with the process's output when it exits first, or after 3 minutes
     */
    public void awaitHealthy(int adminPort, String check) throws InterruptedException {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthcheck"))
              .timeout(Duration.ofSeconds(10))
              .build();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      String last = "no answer yet";
      while (System.nanoTime() - deadline < 0) {
        if (!process.isAlive()) {
          throw new AssertionError(
              "the process exited with " + process.exitValue() + "; it printed:\n" + output());
        }
        try {
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          last = response.statusCode() + " " + response.body();
          if (response.statusCode() == 200
              && JSON.readTree(response.body()).at("/" + check + "/healthy").asBoolean()) {
            return;
          }
        } catch (IOException e) {
          last = e.toString(); // not listening yet
        }
        Thread.sleep(1000);
      }
      throw new AssertionError(
          "health check '"
              + check
              + "' not healthy after 3 minutes (last: "
              + last
              + ")"
              + "; the process printed:\n"
              + output());
    }

    /**
     * What the service's admin {@code /prometheus} answers, the path the chart's ServiceMonitor
     * scrapes.
     *
     * @throws AssertionError unless it answers 200 with Prometheus text
     */
    public String prometheusText(int adminPort) throws IOException, InterruptedException {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + adminPort + "/prometheus"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (response.statusCode() != 200 || !type.startsWith("text/plain")) {
        throw new AssertionError(
            "/prometheus answered " + response.statusCode() + " " + type + ": " + response.body());
      }
      return response.body();
    }

    /** Asks the process to stop (SIGTERM), then kills it if it has not exited within a minute. */
    public void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(1, TimeUnit.MINUTES)) {
        process.destroyForcibly();
      }
    }
  }

  /** Starts {@code java -jar <jar> args...} with {@code env} added to a clean environment. */
  public Started start(List<String> args, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djava.io.tmpdir=" + workDir);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    Path log = workDir.resolve("process-" + (++started) + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("ODC_") || k.contains("JAVA_OPT"));
    builder.environment().remove("KUBECONFIG");
    builder.environment().putAll(env);
    return new Started(builder.start(), log);
  }

  /**
   * Runs {@code java -jar <jar> args...} to its end (at most three minutes).
   *
   * @throws IllegalStateException when the process did not exit in time (it is killed)
   */
  public Run run(List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    Started started = start(args, env);
    try {
      if (!started.process().waitFor(3, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            "java -jar " + jar + " " + args + " did not exit; it printed:\n" + started.output());
      }
    } finally {
      started.process().destroyForcibly();
    }
    return new Run(started.process().exitValue(), started.output());
  }

  /**
   * The environment the chart gives a service's pod: the database as {@code ODC_DATABASE_URL},
   * {@code _USER} and {@code _PASSWORD} (from a Secret), and the pod's name as {@code
   * ODC_POD_NAME}.
   *
   * @return a mutable map, so a test can remove or change one
   */
  public static Map<String, String> chartEnv(
      String databaseUrl, String user, String password, String podName) {
    Map<String, String> env = new HashMap<>();
    env.put("ODC_DATABASE_URL", databaseUrl);
    env.put("ODC_DATABASE_USER", user);
    env.put("ODC_DATABASE_PASSWORD", password);
    env.put("ODC_POD_NAME", podName);
    return env;
  }

  /**
   * The top of a service's config.yml as the chart renders it: HTTP connectors on {@code port} and
   * {@code adminPort}, INFO logging, and the database from the {@link #chartEnv} variables with a
   * pool of at most {@code maxPoolSize} connections. The service's own keys follow it.
   */
  public static String chartConfigHead(int port, int adminPort, int maxPoolSize) {
    return """
        server:
          applicationConnectors:
            - type: http
              port: %d
          adminConnectors:
            - type: http
              port: %d
        logging:
          level: INFO
          loggers:
            dev.odc: INFO
        database:
          driverClass: org.postgresql.Driver
          url: ${ODC_DATABASE_URL}
          user: ${ODC_DATABASE_USER}
          password: ${ODC_DATABASE_PASSWORD}
          minSize: 2
          initialSize: 2
          maxSize: %d
          validationQuery: "/* odc health */ select 1"
        """
        .formatted(port, adminPort, maxPoolSize);
  }

  /** A loopback port that was free a moment ago, for a service's connectors. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The first column of every row {@code sql} returns, as strings. */
  public static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> result = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        result.add(rs.getString(1));
      }
    }
    return result;
  }
}
