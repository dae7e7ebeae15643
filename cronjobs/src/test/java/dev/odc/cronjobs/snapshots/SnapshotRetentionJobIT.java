package dev.odc.cronjobs.snapshots;

import static dev.odc.cronjobs.testing.CronTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.cronjobs.db.CronQueries;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.scheduler.PartialFailureException;
import dev.odc.cronjobs.testing.CronTesting;
import dev.odc.database.DiskDao;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import dev.odc.testing.MutableClock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnableKubernetesMockClient(crud = true)
class SnapshotRetentionJobIT {
  @RegisterExtension static final PostgresExtension db = new PostgresExtension();
  private static final String NS = "odc-reservations";
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  static KubernetesClient client;

  private Jdbi jdbi;
  private MutableClock clock;
  private UUID user;

  @BeforeEach
  void setUp() throws Exception {
    db.clean();
    jdbi = db.jdbi();
    CronTesting.resetCronjobsSchema(db.dataSource(), jdbi);
    client.genericKubernetesResources(VolumeSnapshotStore.VOLUME_SNAPSHOT).inNamespace(NS).delete();
    user = CronTesting.insertUser(jdbi, "alice");
    clock = new MutableClock(NOW);
  }

  private Disk disk(String name, Instant deletedAt) {
    Disk d =
        new Disk(
            UUID.randomUUID(),
            user,
            name,
            100,
            "gp3",
            "a",
            null,
            null,
            null,
            false,
            NOW.minus(Duration.ofDays(60)),
            null);
    jdbi.useExtension(DiskDao.class, dao -> dao.insert(d));
    if (deletedAt != null) {
      jdbi.useExtension(DiskDao.class, dao -> dao.softDelete(d.id(), deletedAt));
    }
    return d;
  }

  /**
   * A snapshot row written the way production writes it: the release's row, then (for a ready one)
   * what the processor's snapshot follower records when the VolumeSnapshot is ready, or for a
   * failed one, its failure.
   */
  private DiskSnapshot snapshot(Disk d, String name, Duration age, boolean ready) {
    DiskSnapshot released =
        DiskSnapshot.released(UUID.randomUUID(), d.id(), name, d.sizeGb(), NOW.minus(age));
    jdbi.useExtension(
        DiskSnapshotDao.class,
        dao -> {
          dao.insert(released);
          if (ready) {
            dao.markReady(released.id(), "snap-" + name, 100);
          } else {
            dao.markFailed(released.id(), "injected: the snapshot controller gave up");
          }
        });
    DiskSnapshot s =
        jdbi.withExtension(DiskSnapshotDao.class, dao -> dao.findById(released.id())).orElseThrow();
    GenericKubernetesResource vs =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("snapshot.storage.k8s.io/v1")
            .withKind("VolumeSnapshot")
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .build();
    client
        .genericKubernetesResources(VolumeSnapshotStore.VOLUME_SNAPSHOT)
        .inNamespace(NS)
        .resource(vs)
        .create();
    return s;
  }

  private List<String> volumeSnapshotsInCluster() {
    return client
        .genericKubernetesResources(VolumeSnapshotStore.VOLUME_SNAPSHOT)
        .inNamespace(NS)
        .list()
        .getItems()
        .stream()
        .map(r -> r.getMetadata().getName())
        .sorted()
        .toList();
  }

  private List<String> liveRows() {
    return jdbi.onDemand(CronQueries.class).liveSnapshots().stream()
        .map(DiskSnapshot::snapshotName)
        .sorted()
        .toList();
  }

  private long auditDeletes() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "select count(*) from audit_log where actor = 'system:cronjobs:snapshot-retention'"
                        + " and action = 'disk.snapshot.delete'")
                .mapTo(Long.class)
                .one());
  }

  @Test
  void keepsTheNewestReadySnapshotOfALiveDiskEvenWhenOlderThanMaxAge() {
    Disk home = disk("home", null);
    snapshot(home, "home-only-ready", Duration.ofDays(30), true);
    snapshot(home, "home-never-ready", Duration.ofDays(2), false);
    Disk gone = disk("gone", NOW.minus(Duration.ofDays(10)));
    snapshot(gone, "gone-newest", Duration.ofDays(11), true);

    JobReport report =
        new SnapshotRetentionJob(
                jdbi, new VolumeSnapshotStore(client, NS), RetentionPolicy.defaults(), clock)
            .run(run(NOW));

    assertThat(report.count("deleted")).isEqualTo(2);
    assertThat(report.count("never_ready")).isEqualTo(1);
    assertThat(liveRows()).containsExactly("home-only-ready");
    assertThat(volumeSnapshotsInCluster()).containsExactly("home-only-ready");
    assertThat(auditDeletes()).isEqualTo(2);
  }

  @Test
  void deletesThroughTheProvidersStorageBackend() {
    Disk gone = disk("gone", NOW.minus(Duration.ofDays(10)));
    snapshot(gone, "gone-a", Duration.ofDays(12), true);
    snapshot(gone, "gone-b", Duration.ofDays(11), true);
    Disk home = disk("home", null);
    snapshot(home, "home-a", Duration.ofDays(40), true);
    StorageFactory storage = new StorageFactory();
    SnapshotStore store =
        new StorageBackendSnapshotStore(
            new KubernetesStorageBackend(client, storage), NS, Optional.empty());

    JobReport report =
        new SnapshotRetentionJob(jdbi, store, RetentionPolicy.defaults(), clock).run(run(NOW));

    assertThat(report.count("deleted")).isEqualTo(2);
    assertThat(volumeSnapshotsInCluster()).containsExactly("home-a");
    assertThat(liveRows()).containsExactly("home-a");
  }

  @Test
  void deletesAtMostTheLimitPerRunAndFinishesAfterACrashWithoutDuplicates() {
    Disk d = disk("home", null);
    for (int i = 0; i < 6; i++) {
      snapshot(d, "s" + i, Duration.ofDays(10 + i), true);
    }
    RetentionPolicy policy = new RetentionPolicy(1, Duration.ofDays(7), 2, Duration.ofHours(6));
    Set<String> failOnce = new ConcurrentSkipListSet<>(Set.of("s4"));
    VolumeSnapshotStore real = new VolumeSnapshotStore(client, NS);
    SnapshotStore flaky =
        s -> {
          if (failOnce.remove(s.snapshotName())) {
            // The cluster delete went through, then the process "died" before recording it.
            real.delete(s);
            throw new SnapshotStore.SnapshotDeletionException(
                s.snapshotName(), new KubernetesClientException("connection reset (injected)"));
          }
          real.delete(s);
        };
    SnapshotRetentionJob job = new SnapshotRetentionJob(jdbi, flaky, policy, clock);

    // oldest first: s5, s4 — s4 fails after its VolumeSnapshot is gone
    assertThatThrownBy(() -> job.run(run(NOW))).isInstanceOf(PartialFailureException.class);
    assertThat(liveRows()).containsExactly("s0", "s1", "s2", "s3", "s4");
    assertThat(volumeSnapshotsInCluster()).containsExactly("s0", "s1", "s2", "s3");

    JobReport second = job.run(run(NOW));
    assertThat(second.count("deleted")).isEqualTo(2);
    assertThat(second.count("deferred")).isEqualTo(2);
    JobReport third = job.run(run(NOW));
    assertThat(third.count("deleted")).isEqualTo(2);
    assertThat(job.run(run(NOW)).count("deleted")).isZero();

    assertThat(liveRows()).containsExactly("s0");
    assertThat(volumeSnapshotsInCluster()).containsExactly("s0");
    assertThat(auditDeletes()).as("one audit row per snapshot, none twice").isEqualTo(5);
  }
}
