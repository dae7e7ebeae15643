package dev.odc.cronjobs.reconcile;

import static dev.odc.cronjobs.testing.CronTesting.reservation;
import static dev.odc.cronjobs.testing.CronTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Disk;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.cronjobs.db.CronQueries;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.testing.CronTesting;
import dev.odc.database.DiskDao;
import dev.odc.database.ReservationDao;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.MutableClock;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
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
class ReconciliationJobIT {
  @RegisterExtension static final PostgresExtension db = new PostgresExtension();
  private static final String NS = "odc-reservations";
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  static KubernetesClient client;

  private Jdbi jdbi;
  private UUID user;

  @BeforeEach
  void setUp() throws Exception {
    db.clean();
    jdbi = db.jdbi();
    CronTesting.resetCronjobsSchema(db.dataSource(), jdbi);
    client.persistentVolumeClaims().inNamespace(NS).delete();
    user = CronTesting.insertUser(jdbi, "alice");
  }

  private void pvc(String name, UUID diskId, String username) {
    client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .addToLabels(Labels.DISK_ID, diskId.toString())
                .addToLabels(Labels.USER, username)
                .endMetadata()
                .withNewSpec()
                .withStorageClassName("gp3")
                .withNewResources()
                .addToRequests("storage", new Quantity("50Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
  }

  private Disk disk(String name, String pvcName, UUID inUseBy) {
    Disk d =
        new Disk(
            UUID.randomUUID(),
            user,
            name,
            100,
            "gp3",
            "a",
            pvcName,
            inUseBy,
            null,
            false,
            NOW.minus(Duration.ofDays(3)),
            null);
    jdbi.useExtension(DiskDao.class, dao -> dao.insert(d));
    return d;
  }

  private Disk reload(UUID id) {
    return jdbi.withExtension(DiskDao.class, dao -> dao.findById(id)).orElseThrow();
  }

  @Test
  void importsOrphansMarksMissingPvcsAndReleasesLocksOfEndedReservations() {
    Disk withPvc = disk("home", "pvc-home", null);
    pvc("pvc-home", withPvc.id(), "alice");
    Disk lostPvc = disk("lost", "pvc-lost", null);
    UUID orphanId = UUID.randomUUID();
    pvc("pvc-orphan", orphanId, "alice");
    pvc("pvc-stranger", UUID.randomUUID(), "nobody-known");

    Reservation ended =
        reservation(
            user, "old", ReservationStatus.EXPIRED, NOW.minus(Duration.ofHours(1)), null, null);
    Reservation endedJustNow =
        reservation(
            user,
            "fresh",
            ReservationStatus.CANCELLED,
            NOW.minus(Duration.ofMinutes(1)),
            null,
            null);
    Reservation live =
        reservation(
            user,
            "live",
            ReservationStatus.ACTIVE,
            NOW.minus(Duration.ofHours(1)),
            null,
            NOW.plus(Duration.ofHours(1)));
    jdbi.useExtension(
        ReservationDao.class,
        dao -> {
          dao.insert(withEnd(ended, NOW.minus(Duration.ofHours(1))));
          dao.insert(withEnd(endedJustNow, NOW.minus(Duration.ofMinutes(1))));
          dao.insert(live);
        });
    Disk lockedByEnded = disk("locked-ended", null, ended.id());
    Disk lockedByFresh = disk("locked-fresh", null, endedJustNow.id());
    Disk lockedByLive = disk("locked-live", "pvc-live-gone", live.id());

    ReconciliationJob job =
        new ReconciliationJob(jdbi, client, NS, Duration.ofMinutes(10), new MutableClock(NOW));
    JobReport report = job.run(run(NOW));

    assertThat(report.count("orphans_imported")).isEqualTo(1);
    assertThat(report.count("orphans_unattributed")).isEqualTo(1);
    assertThat(report.count("pvc_missing")).isEqualTo(1);
    assertThat(report.count("pvc_missing_in_use")).isEqualTo(1);
    assertThat(report.count("locks_released")).isEqualTo(1);

    Disk orphan = reload(orphanId);
    assertThat(orphan.orphaned()).isTrue();
    assertThat(orphan.pvcName()).isEqualTo("pvc-orphan");
    assertThat(orphan.sizeGb()).isEqualTo(50);
    assertThat(orphan.userId()).isEqualTo(user);
    assertThat(reload(withPvc.id()).pvcName()).isEqualTo("pvc-home");
    assertThat(reload(lostPvc.id()).pvcName()).isNull();
    assertThat(reload(lockedByEnded.id()).inUseBy()).isNull();
    assertThat(reload(lockedByFresh.id()).inUseBy()).isEqualTo(endedJustNow.id());
    assertThat(reload(lockedByLive.id()).inUseBy()).isEqualTo(live.id());
    assertThat(reload(lockedByLive.id()).pvcName())
        .as("never changed under a live reservation")
        .isEqualTo("pvc-live-gone");
    assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems()).hasSize(3);

    JobReport again = job.run(run(NOW));
    assertThat(
            again.count("orphans_imported")
                + again.count("pvc_missing")
                + again.count("locks_released"))
        .as("idempotent")
        .isZero();
    CronQueries q = jdbi.onDemand(CronQueries.class);
    assertThat(q.countAudit("system:cronjobs:reconciliation", "disk.orphan", orphanId.toString()))
        .isEqualTo(1);
    assertThat(
            q.countAudit(
                "system:cronjobs:reconciliation", "disk.unlock", lockedByEnded.id().toString()))
        .isEqualTo(1);
    assertThat(
            q.countAudit(
                "system:cronjobs:reconciliation", "disk.reconcile", lostPvc.id().toString()))
        .isEqualTo(1);
  }

  private static Reservation withEnd(Reservation r, Instant endedAt) {
    return new Reservation(
        r.id(),
        r.userId(),
        r.username(),
        r.name(),
        r.gpuType(),
        r.gpuCount(),
        r.nodeCount(),
        r.image(),
        r.hours(),
        r.diskName(),
        r.labels(),
        r.status(),
        r.failureReason(),
        r.queuePosition(),
        r.estimatedStartAt(),
        r.namespace(),
        r.podName(),
        r.nodeName(),
        r.sshHost(),
        r.sshPort(),
        r.createdAt(),
        r.startedAt(),
        r.expiresAt(),
        endedAt,
        r.warningsSent(),
        r.statusHistory(),
        r.version());
  }
}
