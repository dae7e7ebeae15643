package dev.odc.cronjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.ServiceJar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  @TempDir Path dir;

  @Test
  void checkAcceptsTheChartsConfiguration() throws Exception {
    Path config = write(config(8080, 8081, ""));

    ServiceJar.Run run =
        jar().run(List.of("check", config.toString()), env("jdbc:postgresql://127.0.0.1:1/odc"));

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("Configuration is OK");
  }

  @Test
  void checkNamesWhatIsWrongWithABrokenConfiguration() throws Exception {
    Path config = write(config(8080, 8081, "  threads: 0\n"));

    ServiceJar.Run run =
        jar().run(List.of("check", config.toString()), env("jdbc:postgresql://127.0.0.1:1/odc"));

    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output()).contains("scheduler.threads");
  }

  @Test
  void serverBecomesHealthyAgainstTheDatabaseAndTheKubernetesApi() throws Exception {
    String url = db.createDatabase("cronjobs_jar_it");
    int port = ServiceJar.freePort();
    int adminPort = ServiceJar.freePort();
    Path config = write(config(port, adminPort, ""));
    int kubernetesRequestsBefore = server.getRequestCount();

    ServiceJar.Started started = jar().start(List.of("server", config.toString()), env(url));
    try {
      started.awaitHealthy(adminPort, "jobs");
      assertThat(started.process().isAlive()).as(started.output()).isTrue();
      // it migrated the fresh database and talked to the Kubernetes API
      try (Connection c = DriverManager.getConnection(url, db.username(), db.password())) {
        assertThat(ServiceJar.strings(c, "select queue_name from pgmq.list_queues()"))
            .contains("reservations");
        // clustered Quartz checked in under the pod name
        assertThat(ServiceJar.strings(c, "select instance_name from cronjobs.qrtz_scheduler_state"))
            .contains("odc-cronjobs-7d9f8-abcde");
      }
      // the jobs' first runs reach the Kubernetes API soon after start-up, not always before the
      // health check turns healthy
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> server.getRequestCount() > kubernetesRequestsBefore);
      // the chart's ServiceMonitor scrapes Prometheus text from the admin port
      assertThat(started.prometheusText(adminPort)).contains("# TYPE jvm_memory_heap_used gauge");
    } finally {
      started.stop();
    }
    assertThat(started.process().isAlive()).isFalse();
  }

  /** The keys helm/odc/templates/_config.tpl renders for cronjobs, plus the mock API. */
  private static String config(int port, int adminPort, String extra) {
    return ServiceJar.chartConfigHead(port, adminPort, 8)
        + """
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
            .formatted(client.getMasterUrl())
        + extra;
  }

  private Map<String, String> env(String url) {
    return ServiceJar.chartEnv(url, db.username(), db.password(), "odc-cronjobs-7d9f8-abcde");
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("config.yml"), text);
  }

  private ServiceJar jar() {
    return new ServiceJar(JAR, dir);
  }
}
