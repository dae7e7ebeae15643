package dev.odc.cronjobs.availability;

import static dev.odc.cronjobs.testing.CronTesting.reservation;
import static dev.odc.cronjobs.testing.CronTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.GpuType;
import dev.odc.core.ReservationStatus;
import dev.odc.cronjobs.db.CronQueries;
import dev.odc.cronjobs.testing.CronTesting;
import dev.odc.database.GpuTypeDao;
import dev.odc.database.ReservationDao;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.MutableClock;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnableKubernetesMockClient(crud = true)
class AvailabilityJobIT {
  @RegisterExtension static final PostgresExtension db = new PostgresExtension();
  private static final String LABEL = "odc.dev/gpu-type";
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  static KubernetesClient client;

  private Jdbi jdbi;
  private MutableClock clock;

  @BeforeEach
  void setUp() throws Exception {
    db.clean();
    jdbi = db.jdbi();
    CronTesting.resetCronjobsSchema(db.dataSource(), jdbi);
    client.nodes().delete();
    client.pods().inAnyNamespace().delete();
    clock = new MutableClock(T0);
    jdbi.useExtension(
        GpuTypeDao.class,
        dao -> {
          dao.upsertDefinition("h100", "h100", 8, 96, 1024);
          dao.upsertDefinition("t4", "t4", 4, 16, 64);
        });
  }

  private void node(String name, String type, int gpus, boolean ready) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(LABEL, type)
                .endMetadata()
                .withNewSpec()
                .endSpec()
                .withNewStatus()
                .addToAllocatable("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .endCondition()
                .endStatus()
                .build())
        .create();
  }

  private void pod(String ns, String name, String node, int gpus) {
    client
        .pods()
        .inNamespace(ns)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName("main")
                .withImage("ubuntu")
                .withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))
                .endResources()
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .endStatus()
                .build())
        .create();
  }

  private GpuType row(String name) {
    return jdbi.withExtension(GpuTypeDao.class, dao -> dao.find(name)).orElseThrow();
  }

  @Test
  void writesAvailabilityPerTypeAndAuditsOnlyChanges() {
    node("h1", "h100", 8, true);
    node("h2", "h100", 8, true);
    node("h3", "h100", 8, false);
    pod("odc-reservations", "r1-0", "h1", 2);
    pod("someone-else", "batch", "h1", 1);
    UUID user = CronTesting.insertUser(jdbi, "alice");
    jdbi.useExtension(
        ReservationDao.class,
        dao -> {
          dao.insert(
              reservation(
                  user, "r1", ReservationStatus.ACTIVE, T0, "r1-0", T0.plus(Duration.ofHours(1))));
          dao.insert(reservation(user, "r2", ReservationStatus.QUEUED, T0, null, null));
        });
    AvailabilityJob job = new AvailabilityJob(jdbi, client, LABEL, clock);

    // t4 has no nodes: its zeros equal the row's defaults, so only h100 changed.
    assertThat(job.run(run(clock.instant())).count("changed")).isEqualTo(1);

    GpuType h100 = row("h100");
    assertThat(h100.totalGpus()).isEqualTo(16);
    assertThat(h100.inUseGpus()).isEqualTo(3);
    assertThat(h100.freeGpus()).isEqualTo(13);
    assertThat(h100.fullNodesFree()).isEqualTo(1);
    assertThat(h100.maxReservable()).isEqualTo(8);
    assertThat(h100.queued()).isEqualTo(1);
    assertThat(h100.updatedAt()).isEqualTo(T0);
    GpuType t4 = row("t4");
    assertThat(t4.totalGpus()).as("a type without nodes shows zero").isZero();
    assertThat(t4.maxReservable()).isZero();

    clock.advance(Duration.ofSeconds(30));
    assertThat(job.run(run(clock.instant())).count("changed")).isZero();
    assertThat(row("h100").updatedAt()).isEqualTo(T0.plusSeconds(30));

    pod("odc-reservations", "r3-0", "h2", 8);
    clock.advance(Duration.ofSeconds(30));
    assertThat(job.run(run(clock.instant())).count("changed")).isEqualTo(1);
    assertThat(row("h100").freeGpus()).isEqualTo(5);
    assertThat(row("h100").maxReservable()).isEqualTo(5);
    assertThat(
            jdbi.onDemand(CronQueries.class)
                .countAudit("system:cronjobs:availability", "gpu_type.availability", "h100"))
        .isEqualTo(2);
  }
}
