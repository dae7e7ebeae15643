package dev.odc.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.database.NewReservation;
import dev.odc.database.ReservationDao;
import dev.odc.database.Reservations;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import dev.odc.testing.sim.ClusterSimulator;
import dev.odc.testing.sim.NodePool;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deployable processor: {@link ProcessorApplication} started by Dropwizard from a YAML file,
 * against embedded PostgreSQL and the fabric8 mock API server with the cluster simulator, sees a
 * reservation made in the database through to ACTIVE, and reports healthy on its admin port.
 */
@EnableKubernetesMockClient(crud = true)
class ProcessorApplicationIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private static final String NS = "odc-reservations";

  KubernetesClient client;
  private Jdbi jdbi;
  private ClusterSimulator sim;
  private DropwizardTestSupport<ProcessorConfiguration> app;

  @BeforeEach
  void setUp() throws Exception {
    db.clean();
    jdbi = db.jdbi();
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("h100", 2, 8)).start();
    app =
        new DropwizardTestSupport<>(
            ProcessorApplication.class,
            ResourceHelpers.resourceFilePath("processor-app-test.yml"),
            ConfigOverride.config("database.url", db::jdbcUrl),
            ConfigOverride.config("database.user", db::username),
            ConfigOverride.config("database.password", db::password),
            ConfigOverride.config("kubernetes.masterUrl", () -> client.getMasterUrl().toString()));
    app.before();
  }

  @AfterEach
  void tearDown() throws SQLException {
    if (app != null) {
      app.after();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void reservationInTheDatabaseGoesActiveThroughTheDeployedApp() throws Exception {
    assertThat(app.getConfiguration().settings().workerThreads()).isEqualTo(3);
    User alice = TestData.user(jdbi, "alice");
    Reservation r =
        new Reservations(jdbi, new Pgmq(jdbi))
            .create(
                new NewReservation(
                    alice.id(), alice.username(), "app", "h100", 2, 1, null, 1.0, "home", Map.of()),
                alice.username());

    ReservationDao dao = jdbi.onDemand(ReservationDao.class);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> dao.findById(r.id()).orElseThrow().status(), s -> s == ReservationStatus.ACTIVE);

    Reservation active = dao.findById(r.id()).orElseThrow();
    Pod pod = client.pods().inNamespace(NS).withName(Names.pod(r.id(), 0)).get();
    assertThat(pod).isNotNull();
    assertThat(pod.getSpec().getContainers().get(0).getEnv())
        .anyMatch(
            e -> e.getName().equals("ODC_SSH_AUTHORIZED_KEYS") && e.getValue().contains("alice"));
    assertThat(active.podName()).isEqualTo(pod.getMetadata().getName());
    assertThat(active.sshPort())
        .isEqualTo(
            client
                .services()
                .inNamespace(NS)
                .withName(Names.sshService(r.id()))
                .get()
                .getSpec()
                .getPorts()
                .get(0)
                .getNodePort());
    // the worker let go of the reservation once it was done with it
    await().atMost(Duration.ofSeconds(10)).until(() -> dao.leaseHolder(r.id()).isEmpty());

    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.getAdminPort() + "/healthcheck"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode checks = new ObjectMapper().readTree(health.body());
    assertThat(checks.path("processor").path("healthy").asBoolean()).isTrue();
  }
}
