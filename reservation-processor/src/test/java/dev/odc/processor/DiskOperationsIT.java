package dev.odc.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odc.core.Disk;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.core.queue.DiskOperationMessage;
import dev.odc.core.queue.DiskOperationMessage.Operation;
import dev.odc.database.DiskDao;
import dev.odc.database.NewReservation;
import dev.odc.database.ReservationDao;
import dev.odc.database.Reservations;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import dev.odc.providers.ClaimSpec;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import dev.odc.testing.sim.ClusterSimulator;
import dev.odc.testing.sim.NodePool;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code disk_operations} consumer: a deleted disk's claims are removed by the running
 * processor, against real PostgreSQL and the fabric8 mock server in CRUD mode.
 */
@EnableKubernetesMockClient(crud = true)
class DiskOperationsIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private static final String NS = "odc-reservations";
  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE alice@laptop";

  KubernetesClient client;
  private Jdbi jdbi;
  private Pgmq pgmq;
  private Reservations reservations;
  private DiskDao disks;
  private ClusterSimulator sim;
  private Processor processor;

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    jdbi = db.jdbi();
    pgmq = new Pgmq(jdbi);
    reservations = new Reservations(jdbi, pgmq);
    disks = jdbi.onDemand(DiskDao.class);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (processor != null) {
      processor.stop();
    }
    if (sim != null) {
      sim.close();
    }
  }

  private void startProcessor() {
    ProcessorSettings settings =
        ProcessorSettings.defaults("p1")
            .withSweepInterval(Duration.ofSeconds(1))
            .withDelivery(Duration.ofSeconds(30), Duration.ofSeconds(1))
            .withLeaseTtl(Duration.ofSeconds(3));
    processor =
        new Processor(
            jdbi,
            client,
            new KubernetesStorageBackend(client, new StorageFactory()),
            settings,
            SshKeySource.of(Map.of("alice", List.of(KEY))),
            null);
    processor.start();
  }

  private Reservation reserve(User user, String name, String disk) {
    return reservations.create(
        new NewReservation(user.id(), user.username(), name, "l4", 1, 1, null, 2.0, disk, Map.of()),
        user.username());
  }

  private Reservation awaitStatus(UUID id, ReservationStatus status) {
    ReservationDao dao = jdbi.onDemand(ReservationDao.class);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> dao.findById(id).orElseThrow().status(), s -> s == status);
    return dao.findById(id).orElseThrow();
  }

  private void awaitReleased(UUID diskId) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> disks.findById(diskId).orElseThrow().inUseBy() == null);
  }

  /** What the api-service's DELETE /v1/disks/{name} does: soft delete and message, one commit. */
  private long deleteDisk(UUID diskId) {
    return jdbi.inTransaction(
        h -> {
          assertThat(h.attach(DiskDao.class).softDelete(diskId, Instant.now())).isTrue();
          return pgmq.send(
              h, DiskOperationMessage.QUEUE, new DiskOperationMessage(diskId, Operation.DELETE));
        });
  }

  private boolean claimExists(String name) {
    return client.persistentVolumeClaims().inNamespace(NS).withName(name).get() != null;
  }

  private List<String> processorDiskDeletes(UUID diskId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "select outcome from audit_log where actor = :actor and action = 'disk.delete'"
                        + " and resource_type = 'disk' and resource_id = :id order by id")
                .bind("actor", Processor.ACTOR)
                .bind("id", diskId.toString())
                .mapTo(String.class)
                .list());
  }

  private long queued(String table) {
    return jdbi.withHandle(
        h -> h.createQuery("select count(*) from pgmq." + table).mapTo(Long.class).one());
  }

  /** Waits until the consumer has deleted every disk_operations message (none archived). */
  private void awaitQueueDrained() {
    await().atMost(Duration.ofSeconds(20)).until(() -> queued("q_disk_operations") == 0);
    assertThat(queued("a_disk_operations")).as("nothing dead-lettered").isZero();
  }

  @Test
  void deletedDiskLosesItsClaimsAndTheProcessorAuditsIt() {
    sim =
        ClusterSimulator.builder(client)
            .nodes(NodePool.of("l4", 2, 4).inZones("zone-a", "zone-b"))
            .start();
    startProcessor();
    User alice = TestData.user(jdbi, "alice");
    // the disk gets a claim in zone-a, then (zone-a full) a claim restored into zone-b, which
    // supersedes the first
    Reservation first = reserve(alice, "first", "home");
    Reservation firstActive = awaitStatus(first.id(), ReservationStatus.ACTIVE);
    Disk disk = disks.findByUserAndName(alice.id(), "home").orElseThrow();
    reservations.cancel(first.id(), "alice", "done");
    awaitReleased(disk.id());
    sim.cordon(firstActive.nodeName(), true);
    Reservation second = reserve(alice, "second", "home");
    awaitStatus(second.id(), ReservationStatus.ACTIVE);
    // a verified move (restored claim Bound, reservation ACTIVE) deletes the superseded claim
    await().atMost(Duration.ofSeconds(20)).until(() -> !claimExists(Names.claim(disk.id())));
    reservations.cancel(second.id(), "alice", "done");
    awaitReleased(disk.id());
    String restored = Names.restoredClaim(disk.id(), second.id());
    assertThat(disks.findById(disk.id()).orElseThrow().pvcName()).isEqualTo(restored);
    assertThat(claimExists(restored)).isTrue();

    deleteDisk(disk.id());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !claimExists(restored) && !claimExists(Names.claim(disk.id())));
    await().atMost(Duration.ofSeconds(10)).until(() -> !processorDiskDeletes(disk.id()).isEmpty());
    assertThat(processorDiskDeletes(disk.id())).containsExactly("success");
    awaitQueueDrained();
  }

  @Test
  void lockedDiskIsLeftAloneUntilItsReservationReleasesIt() {
    sim = ClusterSimulator.builder(client).nodes(NodePool.of("l4", 1, 4)).start();
    startProcessor();
    User alice = TestData.user(jdbi, "alice");
    Reservation r = reserve(alice, "busy", "home");
    awaitStatus(r.id(), ReservationStatus.ACTIVE);
    Disk disk = disks.findByUserAndName(alice.id(), "home").orElseThrow();
    assertThat(disk.inUseBy()).isEqualTo(r.id());
    // the row is deleted while a reservation still holds the lock (the api-service refuses this;
    // here it plays a delete that raced the lock)
    long sent =
        jdbi.inTransaction(
            h -> {
              h.createUpdate("update disks set deleted_at = now() where id = :id")
                  .bind("id", disk.id())
                  .execute();
              return pgmq.send(
                  h,
                  DiskOperationMessage.QUEUE,
                  new DiskOperationMessage(disk.id(), Operation.DELETE));
            });

    // the consumer saw the message, left the disk alone and queued it again for later
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                jdbi.withHandle(
                        h ->
                            h.createQuery(
                                    "select count(*) from pgmq.q_disk_operations where msg_id > :id")
                                .bind("id", sent)
                                .mapTo(Long.class)
                                .one())
                    > 0);
    assertThat(claimExists(disk.pvcName())).as("claim of a locked disk kept").isTrue();
    assertThat(processorDiskDeletes(disk.id())).isEmpty();

    reservations.cancel(r.id(), "alice", "done");
    awaitReleased(disk.id());

    await().atMost(Duration.ofSeconds(20)).until(() -> !claimExists(disk.pvcName()));
    await().atMost(Duration.ofSeconds(10)).until(() -> !processorDiskDeletes(disk.id()).isEmpty());
    assertThat(processorDiskDeletes(disk.id())).containsExactly("success");
    awaitQueueDrained();
  }

  @Test
  void repeatedMessageIsHarmlessAndSparesANewDiskOfTheSameName() {
    startProcessor();
    User alice = TestData.user(jdbi, "alice");
    Disk old = insertDiskWithClaim(alice, "home");
    deleteDisk(old.id());
    await().atMost(Duration.ofSeconds(20)).until(() -> !claimExists(old.pvcName()));
    awaitQueueDrained();
    // the name is re-used by a new disk with a claim of its own
    Disk reused = insertDiskWithClaim(alice, "home");

    for (int i = 0; i < 2; i++) {
      pgmq.send(DiskOperationMessage.QUEUE, new DiskOperationMessage(old.id(), Operation.DELETE));
    }
    awaitQueueDrained();

    assertThat(processorDiskDeletes(old.id())).containsExactly("success");
    assertThat(claimExists(reused.pvcName())).as("the new disk's claim").isTrue();
    assertThat(disks.findById(reused.id()).orElseThrow().deleted()).isFalse();
    assertThat(processorDiskDeletes(reused.id())).isEmpty();
  }

  @Test
  void unknownDiskAndUndeletedDiskAreAckedWithoutActing() {
    startProcessor();
    User alice = TestData.user(jdbi, "alice");
    Disk live = insertDiskWithClaim(alice, "home");
    UUID unknown = UUID.randomUUID();

    pgmq.send(DiskOperationMessage.QUEUE, new DiskOperationMessage(unknown, Operation.DELETE));
    pgmq.send(DiskOperationMessage.QUEUE, new DiskOperationMessage(live.id(), Operation.DELETE));
    awaitQueueDrained();

    assertThat(claimExists(live.pvcName())).isTrue();
    assertThat(processorDiskDeletes(unknown)).isEmpty();
    assertThat(processorDiskDeletes(live.id())).isEmpty();
    DiskOperations ops = processor.diskOperations();
    assertThat(ops.handle(new DiskOperationMessage(unknown, Operation.DELETE)))
        .isEqualTo(DiskOperations.Outcome.UNKNOWN_DISK);
    assertThat(ops.handle(new DiskOperationMessage(live.id(), Operation.DELETE)))
        .isEqualTo(DiskOperations.Outcome.NOT_DELETED);
  }

  /** A disk row whose claim exists, as the processor leaves a disk after a reservation. */
  private Disk insertDiskWithClaim(User user, String name) {
    UUID id = UUID.randomUUID();
    String claim = Names.claim(id);
    new KubernetesStorageBackend(client, new StorageFactory())
        .ensureClaim(
            new ClaimSpec(NS, claim, 10, null, null, Map.of(Labels.DISK_ID, id.toString()), null));
    Disk disk =
        new Disk(
            id, user.id(), name, 10, null, null, claim, null, null, false, Instant.now(), null);
    disks.insert(disk);
    assertThat(claimExists(claim)).isTrue();
    return disk;
  }
}
