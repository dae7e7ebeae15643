package dev.odc.cronjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.database.testing.PostgresExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded cronjobs jar as its own process, the way the chart's Deployment runs it ({@code java
 * -jar cronjobs.jar server config.yml}), with a config.yml shaped like the chart's: Dropwizard's
 * {@code check} on a valid and a broken file, and {@code server} (clustered Quartz) against a fresh
 * database and the fabric8 mock Kubernetes API until the admin health check says healthy.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class CronjobsJarIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final Path JAR =
      Path.of(System.getProperty("odc.serviceJar", "target/cronjobs.jar")).toAbsolutePath();
  private static final Pattern JDBC_URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)[^?]*(.*)$");

  @TempDir Path dir;

  @Test
  void checkAcceptsTheChartsConfiguration() throws Exception {
    Path config = write(config(8080, 8081, ""));

    Run run = run(List.of("check", config.toString()), env("jdbc:postgresql://127.0.0.1:1/odc"));

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("Configuration is OK");
  }

  @Test
  void checkNamesWhatIsWrongWithABrokenConfiguration() throws Exception {
    Path config = write(config(8080, 8081, "  threads: 0\n"));

    Run run = run(List.of("check", config.toString()), env("jdbc:postgresql://127.0.0.1:1/odc"));

    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output()).contains("scheduler.threads");
  }

  @Test
  void serverBecomesHealthyAgainstTheDatabaseAndTheKubernetesApi() throws Exception {
    String url = freshDatabase();
    int port = freePort();
    int adminPort = freePort();
    Path config = write(config(port, adminPort, ""));
    int kubernetesRequestsBefore = server.getRequestCount();

    Process process = start(List.of("server", config.toString()), env(url));
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI health = URI.create("http://127.0.0.1:" + adminPort + "/healthcheck");
      try {
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .ignoreExceptionsInstanceOf(IOException.class)
            .failFast("the process exited", () -> !process.isAlive())
            .until(
                () -> {
                  HttpResponse<String> response =
                      http.send(
                          HttpRequest.newBuilder(health).build(),
                          HttpResponse.BodyHandlers.ofString());
                  return response.statusCode() == 200
                      && new ObjectMapper()
                          .readTree(response.body())
                          .at("/jobs/healthy")
                          .asBoolean();
                });
      } catch (RuntimeException e) {
        throw new AssertionError("not healthy; the process said:\n" + output(), e);
      }
      assertThat(process.isAlive()).as(output()).isTrue();
      // it migrated the fresh database and talked to the Kubernetes API
      try (Connection c = DriverManager.getConnection(url, db.username(), db.password())) {
        assertThat(strings(c, "select queue_name from pgmq.list_queues()"))
            .contains("reservations");
        // clustered Quartz checked in under the pod name
        assertThat(strings(c, "select instance_name from cronjobs.qrtz_scheduler_state"))
            .contains("odc-cronjobs-7d9f8-abcde");
      }
      assertThat(server.getRequestCount()).isGreaterThan(kubernetesRequestsBefore);
      // the chart's ServiceMonitor scrapes Prometheus text from the admin port
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/prometheus"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
      assertThat(metrics.body()).contains("# TYPE jvm_memory_heap_used gauge");
    } finally {
      process.destroy();
      if (!process.waitFor(1, TimeUnit.MINUTES)) {
        process.destroyForcibly();
      }
    }
    assertThat(process.isAlive()).isFalse();
  }

  /** The keys helm/odc/templates/_config.tpl renders for cronjobs, plus the mock API. */
  private static String config(int port, int adminPort, String extra) {
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
          maxSize: 8
          validationQuery: "/* odc health */ select 1"
        kubernetes:
          namespace: odc-reservations
          gpuTypeLabel: odc.dev/gpu-type
          masterUrl: %s
        jobs:
          availability:
            interval: 30s
          expiry:
            interval: 1m
            warningMinutes: [30,15,5]
            grace: 5m
          snapshotRetention:
            interval: 1h
            keepNewest: 3
            maxAge: 7d
          reconciliation:
            interval: 15m
        scheduler:
          instanceId: ${ODC_POD_NAME}
          clusterCheckin: 15s
          staleAfterIntervals: 3
        """
            .formatted(port, adminPort, client.getMasterUrl())
        + extra;
  }

  private Map<String, String> env(String url) {
    Map<String, String> env = new HashMap<>();
    env.put("ODC_DATABASE_URL", url);
    env.put("ODC_DATABASE_USER", db.username());
    env.put("ODC_DATABASE_PASSWORD", db.password());
    env.put("ODC_POD_NAME", "odc-cronjobs-7d9f8-abcde");
    return env;
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("config.yml"), text);
  }

  private Path log() {
    return dir.resolve("process.log");
  }

  private String output() throws IOException {
    return Files.readString(log());
  }

  private Process start(List<String> args, Map<String, String> env) throws IOException {
    assertThat(JAR).as("the shaded jar (built in package)").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djava.io.tmpdir=" + dir);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log().toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("ODC_") || k.contains("JAVA_OPT"));
    builder.environment().remove("KUBECONFIG");
    builder.environment().putAll(env);
    return builder.start();
  }

  private Run run(List<String> args, Map<String, String> env) throws Exception {
    Process process = start(args, env);
    try {
      assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("exited").isTrue();
    } finally {
      process.destroyForcibly();
    }
    return new Run(process.exitValue(), output());
  }

  private record Run(int exit, String output) {}

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A new, empty database on the test server; returns its JDBC URL. */
  private static String freshDatabase() throws SQLException {
    String name = "cronjobs_jar_it_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("create database " + name);
    }
    Matcher m = JDBC_URL.matcher(db.jdbcUrl());
    assertThat(m.matches()).as("JDBC URL %s", db.jdbcUrl()).isTrue();
    return m.group(1) + name + m.group(2);
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
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
