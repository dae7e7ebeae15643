package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.deploy.Chart.Profile;
import dev.odc.testing.ServiceJar;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three service images, built by deploy/images/build.sh and loaded from their OCI archives, run
 * with podman exactly as the chart's default render runs them: the Deployment's command and args,
 * its environment (the database from the test's PostgreSQL), uid/gid 10001, read-only root
 * filesystem, all capabilities dropped, no privilege escalation, its memory limit, the rendered
 * config.yml mounted at /etc/odc and an emptyDir on /tmp. First the migration Job's command runs
 * from the api-service image against a fresh database; then each service starts on it and must
 * report every health check healthy on /healthcheck, as the chart's readiness probe demands.
 *
 * <p>Containers share the host's network (the test PostgreSQL, the fabric8 mock Kubernetes API and
 * a stand-in for the OIDC issuer's discovery document listen on loopback); the connectors move to
 * free ports through Dropwizard's {@code dw.} overrides in JAVA_TOOL_OPTIONS, so the chart's
 * config.yml is used unchanged.
 */
// Decided before the test PostgreSQL and the mock API server start, so a run without images pays
// nothing for this class.
@EnabledIfSystemProperty(
    named = Podman.IMAGES_DIR_PROPERTY,
    matches = ".+",
    disabledReason = Podman.OFF)
@EnableKubernetesMockClient(crud = true, https = false)
class ServiceImagesIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  static KubernetesMockServer server;
  static KubernetesClient client;

  @TempDir static Path dir;

  private static Path images;
  private static List<HasMetadata> chart;
  private static String databaseUrl;
  private static HttpServer issuer;
  private static String issuerUrl;
  private static Podman.Result migration;

  @BeforeAll
  static void renderTheChart() throws Exception {
    images = Podman.imagesOrSkip();
    chart = Chart.parse(Chart.template(Profile.DEFAULT));
    databaseUrl = db.createDatabase("images_it");
    issuer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    issuerUrl = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/realms/odc";
    // The api-service's "oidc" health check reads only the discovery document and its issuer.
    issuer.createContext(
        "/realms/odc/.well-known/openid-configuration",
        exchange -> {
          byte[] body =
              ("{\"issuer\":\"" + issuerUrl + "\",\"jwks_uri\":\"" + issuerUrl + "/certs\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    issuer.start();
  }

  @AfterAll
  static void stopTheIssuer() {
    if (issuer != null) {
      issuer.stop(0);
    }
  }

  @Test
  void theMigrationJobsCommandMigratesAFreshDatabaseFromTheApiServiceImage() throws Exception {
    Podman.Result run = migrated();

    assertThat(run.output()).doesNotContain("Exception");
    try (Connection c = DriverManager.getConnection(databaseUrl, db.username(), db.password())) {
      assertThat(
              ServiceJar.strings(
                  c, "select count(*) from flyway_schema_history where success and version <> ''"))
          .first()
          .satisfies(count -> assertThat(Integer.parseInt(count)).isPositive());
      assertThat(ServiceJar.strings(c, "select queue_name from pgmq.list_queues()"))
          .contains("reservations");
    }
  }

  @Test
  void apiServiceImageBecomesHealthyAsTheChartRunsIt() throws Exception {
    migrated();
    String name = "odc-it-api-" + UUID.randomUUID();
    try (Running api =
        start(name, "api-service", "api-service.oci.tar", "-Ddw.oidc.issuer=" + issuerUrl)) {
      api.awaitHealthy("queue");
      // the service runs as the chart's user, and its root filesystem is really read-only
      Podman.Result probe =
          Podman.run(
              List.of("exec", name, "sh", "-c", "id -u; id -g; touch /app/probe 2>&1 || true"), 60);
      assertThat(probe.output()).contains("10001\n10001\n").contains("Read-only file system");
      assertThat(api.started().prometheusText(api.adminPort()))
          .contains("# TYPE jvm_memory_heap_used gauge");
    }
  }

  @Test
  void reservationProcessorImageBecomesHealthyAgainstTheKubernetesApi() throws Exception {
    migrated();
    int before = server.getRequestCount();
    try (Running processor =
        start(
            "odc-it-processor-" + UUID.randomUUID(),
            "reservation-processor",
            "reservation-processor.oci.tar")) {
      processor.awaitHealthy("processor");
      assertThat(server.getRequestCount()).isGreaterThan(before);
    }
  }

  @Test
  void cronjobsImageBecomesHealthyAgainstTheKubernetesApi() throws Exception {
    migrated();
    try (Running cronjobs =
        start("odc-it-cronjobs-" + UUID.randomUUID(), "cronjobs", "cronjobs.oci.tar")) {
      cronjobs.awaitHealthy("jobs");
    }
  }

  /** A service container started from the chart's Deployment, stopped and removed on close. */
  record Running(String name, ServiceJar.Started started, int adminPort) implements AutoCloseable {
    void awaitHealthy(String check) throws InterruptedException {
      started.awaitHealthy(adminPort, check);
    }

    @Override
    public void close() throws Exception {
      started.stop();
      Podman.remove(name);
    }
  }

  /** Runs the migration hook Job's container once (the chart's Job, from the api-service image). */
  private static synchronized Podman.Result migrated() throws IOException {
    if (migration == null) {
      Job job = Chart.named(chart, Job.class, "odc-migrate");
      String image = Podman.load(images.resolve("api-service.oci.tar"));
      PodmanPod pod = chartPod(job.getSpec().getTemplate().getSpec(), "odc-migrate");
      String name = "odc-it-migrate-" + UUID.randomUUID();
      try {
        migration = Podman.run(pod.runArguments(name, image), 600);
      } finally {
        Podman.remove(name);
      }
    }
    assertThat(migration.exit()).as(migration.output()).isZero();
    return migration;
  }

  private static Running start(String name, String component, String archive, String... jvmFlags)
      throws IOException {
    Deployment deployment = Chart.named(chart, Deployment.class, "odc-" + component);
    String image = Podman.load(images.resolve(archive));
    PodmanPod pod = chartPod(deployment.getSpec().getTemplate().getSpec(), "odc-" + component);
    int port = ServiceJar.freePort();
    int adminPort = ServiceJar.freePort();
    String chartOptions =
        pod.container().getEnv().stream()
            .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
            .findFirst()
            .orElseThrow()
            .getValue();
    pod.env(
        "JAVA_TOOL_OPTIONS",
        chartOptions
            + " -Ddw.server.applicationConnectors[0].port="
            + port
            + " -Ddw.server.adminConnectors[0].port="
            + adminPort
            + " "
            + String.join(" ", jvmFlags));
    // In a cluster the services find the API server through the service account; here, the mock.
    pod.env("KUBERNETES_MASTER", client.getMasterUrl().toString())
        .env("KUBERNETES_AUTH_TRYKUBECONFIG", "false")
        .env("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    Path log = dir.resolve(name + ".log");
    Process process = Podman.start(pod.runArguments(name, image), log);
    return new Running(name, new ServiceJar.Started(process, log), adminPort);
  }

  /** The pod spec with the rendered ConfigMap as its config volume and the test's database. */
  private static PodmanPod chartPod(PodSpec spec, String configMap) throws IOException {
    Path config = Files.createDirectories(dir.resolve("config-" + UUID.randomUUID()));
    for (Map.Entry<String, String> file :
        Chart.named(chart, ConfigMap.class, configMap).getData().entrySet()) {
      Files.writeString(config.resolve(file.getKey()), file.getValue());
    }
    PodmanPod pod = new PodmanPod(spec).options("--network=host").volume("config", config);
    ServiceJar.chartEnv(databaseUrl, db.username(), db.password(), configMap + "-7d9f8-abcde")
        .forEach(pod::env);
    return pod;
  }
}
