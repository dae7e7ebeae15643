package dev.odc.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.SshKey;
import dev.odc.core.User;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.DiskDao;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.database.NewReservation;
import dev.odc.database.PodEndpointDao;
import dev.odc.database.ReservationDao;
import dev.odc.database.Reservations;
import dev.odc.database.SshKeyDao;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import dev.odc.testing.sim.ClusterSimulator;
import dev.odc.testing.sim.NodePool;
import dev.odc.testing.sim.PodFailure;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnableKubernetesMockClient(crud = true)
class ProcessorIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private static final String NS = "odc-reservations";
  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE alice@laptop";

  KubernetesClient client;
  KubernetesMockServer server;
  private Jdbi jdbi;
  private Reservations reservations;
  private ClusterSimulator sim;
  private final List<Processor> processors = new ArrayList<>();

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    jdbi = db.jdbi();
    reservations = new Reservations(jdbi, new Pgmq(jdbi));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    // Watches are closed only once the API server has been quiet for a while: fabric8's mock
    // server blocks its event loop (up to a minute) when a watch closes with events still queued
    // to it, and the extension then fails to shut it down.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    int seen = server.getRequestCount();
    while (System.nanoTime() < deadline) {
      Thread.sleep(300);
      int now = server.getRequestCount();
      if (now == seen) {
        break;
      }
      seen = now;
    }
    for (Processor p : processors) {
      p.stop();
    }
    if (sim != null) {
      sim.close();
    }
  }

  private ClusterSimulator simulate(NodePool... pools) {
    ClusterSimulator.Builder b = ClusterSimulator.builder(client);
    for (NodePool pool : pools) {
      b.nodes(pool);
    }
    sim = b.start();
    return sim;
  }

  private Processor processor(String workerId, boolean consume) {
    return processor(workerId, consume, Duration.ofMinutes(10));
  }

  private Processor processor(String workerId, boolean consume, Duration pendingTimeout) {
    return processor(workerId, consume, pendingTimeout, StepHook.NONE);
  }

  private Processor processor(
      String workerId, boolean consume, Duration pendingTimeout, StepHook hook) {
    ProcessorSettings settings =
        ProcessorSettings.defaults(workerId)
            .withSweepInterval(Duration.ofSeconds(1))
            .withLeaseTtl(Duration.ofSeconds(3))
            .withDelivery(Duration.ofSeconds(30), Duration.ofSeconds(1))
            .withPendingTimeout(pendingTimeout);
    Processor p =
        new Processor(
            jdbi,
            client,
            new KubernetesStorageBackend(client, new StorageFactory()),
            settings,
            SshKeySource.union(
                SshKeySource.registered(jdbi), SshKeySource.of(Map.of("alice", List.of(KEY)))),
            null,
            hook);
    processors.add(p);
    if (consume) {
      p.start();
    } else {
      p.startWatching();
    }
    return p;
  }

  private Reservation reserve(
      User user, String name, String gpuType, int gpus, int nodes, String disk) {
    return reservations.create(
        new NewReservation(
            user.id(), user.username(), name, gpuType, gpus, nodes, null, 2.0, disk, Map.of()),
        user.username());
  }

  private Reservation awaitStatus(UUID id, ReservationStatus status) {
    ReservationDao dao = jdbi.onDemand(ReservationDao.class);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> dao.findById(id).orElseThrow().status(), s -> s == status);
    return dao.findById(id).orElseThrow();
  }

  private List<Pod> podsOf(UUID id) {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel(Labels.RESERVATION_ID, id.toString())
        .list()
        .getItems();
  }

  private List<String> auditActions(String actor, String resourceId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "select action || ':' || coalesce(details->>'to', '') from audit_log"
                        + " where actor = :actor and resource_id = :id order by id")
                .bind("actor", actor)
                .bind("id", resourceId)
                .mapTo(String.class)
                .list());
  }

  @Test
  void reserveCreatesPodClaimAndServiceThenGoesActive() {
    simulate(NodePool.of("h100", 1, 8));
    Processor processor = processor("p1", true);
    User alice = TestData.user(jdbi, "alice");
    String registered =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEwaEXqR4m0oHy08jWALI8WUrSBBx35HnD/YBrhhotBU";
    jdbi.useExtension(
        SshKeyDao.class,
        d ->
            d.insert(
                new SshKey(
                    UUID.randomUUID(),
                    alice.id(),
                    "laptop",
                    "ssh-ed25519",
                    256,
                    "SHA256:test",
                    registered,
                    Instant.now())));

    Reservation r = reserve(alice, "train", "h100", 2, 1, "home");
    Reservation active = awaitStatus(r.id(), ReservationStatus.ACTIVE);

    Pod pod = client.pods().inNamespace(NS).withName(Names.pod(r.id(), 0)).get();
    var container = pod.getSpec().getContainers().get(0);
    assertThat(container.getResources().getLimits().get("nvidia.com/gpu"))
        .isEqualTo(new Quantity("2"));
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(pod.getSpec().getNodeSelector()).containsEntry("odc.dev/gpu-type", "h100");
    assertThat(pod.getSpec().getTolerations())
        .anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()) && "NoSchedule".equals(t.getEffect()));
    assertThat(pod.getSpec().getVolumes())
        .anyMatch(v -> v.getPersistentVolumeClaim() != null)
        .anyMatch(v -> v.getEmptyDir() != null && "Memory".equals(v.getEmptyDir().getMedium()));
    assertThat(container.getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .contains("/home/dev", "/dev/shm");
    // the key alice registered with the API, and the one the operator configured
    assertThat(container.getEnv())
        .anyMatch(
            e ->
                e.getName().equals("ODC_SSH_AUTHORIZED_KEYS")
                    && e.getValue().contains(KEY)
                    && e.getValue().contains(registered));
    // where the api-service's tunnel reaches the server: the pod's IP, sshd on 22
    assertThat(pod.getStatus().getPodIP()).isNotBlank();
    assertThat(jdbi.onDemand(PodEndpointDao.class).find(r.id(), 0))
        .contains(new PodEndpointDao.Endpoint(r.id(), 0, pod.getStatus().getPodIP(), 22));
    assertThat(pod.getMetadata().getLabels())
        .containsEntry(Labels.RESERVATION_ID, r.id().toString())
        .containsEntry(Labels.USER, "alice")
        .containsEntry(Labels.MANAGED_BY, "odc");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo(Names.owner(r.id())));

    Disk disk = jdbi.onDemand(DiskDao.class).findByUserAndName(alice.id(), "home").orElseThrow();
    assertThat(disk.inUseBy()).isEqualTo(r.id());
    PersistentVolumeClaim pvc =
        client.persistentVolumeClaims().inNamespace(NS).withName(disk.pvcName()).get();
    assertThat(pvc.getMetadata().getLabels()).containsEntry(Labels.DISK_ID, disk.id().toString());

    Service ssh = client.services().inNamespace(NS).withName(Names.sshService(r.id())).get();
    assertThat(ssh.getSpec().getType()).isEqualTo("NodePort");
    assertThat(active.sshPort()).isEqualTo(ssh.getSpec().getPorts().get(0).getNodePort());
    assertThat(active.sshHost()).isNotBlank();
    assertThat(active.podName()).isEqualTo(Names.pod(r.id(), 0));
    assertThat(active.startedAt()).isNotNull();
    assertThat(active.expiresAt()).isEqualTo(active.startedAt().plus(Duration.ofHours(2)));

    assertThat(auditActions(Processor.ACTOR, r.id().toString()))
        .containsExactly("reservation.status:PREPARING", "reservation.status:ACTIVE");
    assertThat(auditActions(Processor.ACTOR, disk.id().toString()))
        .containsExactly("disk.create:", "disk.lock:");
    assertThat(processor.metrics().timer(Processor.RESERVE_TO_POD_CREATED).getCount()).isEqualTo(1);
    assertThat(processor.metrics().timer(Processor.RESERVE_TO_ACTIVE).getCount()).isEqualTo(1);
  }

  @Test
  void queuesWithPositionAndEtaThenStartsWhenGpusFree() {
    simulate(NodePool.of("l4", 1, 4));
    processor("p1", true);
    User alice = TestData.user(jdbi, "alice");
    User bob = TestData.user(jdbi, "bob");

    Reservation first = reserve(alice, "big", "l4", 4, 1, null);
    Reservation firstActive = awaitStatus(first.id(), ReservationStatus.ACTIVE);
    Reservation second = reserve(bob, "small", "l4", 2, 1, null);
    Reservation queued = awaitStatus(second.id(), ReservationStatus.QUEUED);

    assertThat(queued.queuePosition()).isEqualTo(1);
    assertThat(queued.estimatedStartAt()).isEqualTo(firstActive.expiresAt());
    assertThat(podsOf(second.id())).isEmpty();

    reservations.cancel(first.id(), "alice", "done");

    awaitStatus(second.id(), ReservationStatus.ACTIVE);
    await().atMost(Duration.ofSeconds(10)).until(() -> podsOf(first.id()).isEmpty());
    assertThat(auditActions(Processor.ACTOR, second.id().toString()))
        .containsExactly(
            "reservation.status:QUEUED",
            "reservation.status:PREPARING",
            "reservation.status:ACTIVE");
  }

  @Test
  void cancelAndExpireRemovePodSnapshotDiskAndReleaseIt() {
    simulate(NodePool.of("l4", 2, 4));
    processor("p1", true);
    User alice = TestData.user(jdbi, "alice");
    Reservation a = reserve(alice, "one", "l4", 1, 1, "home");
    Reservation b = reserve(alice, "two", "l4", 1, 1, "scratch");
    awaitStatus(a.id(), ReservationStatus.ACTIVE);
    awaitStatus(b.id(), ReservationStatus.ACTIVE);

    reservations.cancel(a.id(), "alice", "done");
    reservations.expire(b.id(), "system:cronjobs:expiry", "time is up");

    for (Reservation r : List.of(a, b)) {
      String diskName = r.diskName();
      DiskDao disks = jdbi.onDemand(DiskDao.class);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> disks.findByUserAndName(alice.id(), diskName).orElseThrow().inUseBy() == null);
      Disk disk = disks.findByUserAndName(alice.id(), diskName).orElseThrow();
      assertThat(podsOf(r.id())).isEmpty();
      assertThat(client.services().inNamespace(NS).withName(Names.sshService(r.id())).get())
          .isNull();
      String snapshot = Names.snapshot(disk.id(), r.id());
      assertThat(disk.lastSnapshotName()).isEqualTo(snapshot);
      assertThat(jdbi.onDemand(DiskSnapshotDao.class).findByName(snapshot)).isPresent();
      assertThat(
              client
                  .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOTS)
                  .inNamespace(NS)
                  .withName(snapshot)
                  .get())
          .isNotNull();
      assertThat(client.persistentVolumeClaims().inNamespace(NS).withName(disk.pvcName()).get())
          .as("disk kept")
          .isNotNull();
      // the release snapshot is followed to ready without any later reservation
      awaitSnapshotReady(snapshot);
      assertThat(jdbi.onDemand(DiskSnapshotDao.class).findByName(snapshot).orElseThrow())
          .satisfies(s -> assertThat(s.cloudSnapshotId()).startsWith("snap-"))
          .satisfies(s -> assertThat(s.retainedUntil()).as("left to the policy").isNull());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> auditActions(Processor.ACTOR, disk.id().toString()).size() == 5);
      assertThat(auditActions(Processor.ACTOR, disk.id().toString()))
          .containsExactlyInAnyOrder(
              "disk.create:",
              "disk.lock:",
              "disk.snapshot:",
              "disk.unlock:",
              "disk.snapshot.ready:");
    }
    assertThat(jdbi.onDemand(ReservationDao.class).findById(a.id()).orElseThrow().status())
        .isEqualTo(ReservationStatus.CANCELLED);
    assertThat(jdbi.onDemand(ReservationDao.class).findById(b.id()).orElseThrow().status())
        .isEqualTo(ReservationStatus.EXPIRED);
  }

  @Test
  void diskMovesToAnotherZoneThroughItsSnapshot() {
    simulate(NodePool.of("l4", 2, 4).inZones("zone-a", "zone-b"));
    processor("p1", true);
    User alice = TestData.user(jdbi, "alice");
    Reservation first = reserve(alice, "first", "l4", 1, 1, "home");
    Reservation firstActive = awaitStatus(first.id(), ReservationStatus.ACTIVE);
    DiskDao disks = jdbi.onDemand(DiskDao.class);
    Disk before = disks.findByUserAndName(alice.id(), "home").orElseThrow();
    String firstZone = before.zone();
    assertThat(firstZone).isEqualTo("zone-a");
    reservations.cancel(first.id(), "alice", "done");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> disks.findById(before.id()).orElseThrow().inUseBy() == null);
    // the disk's zone is full now
    sim.cordon(firstActive.nodeName(), true);

    Reservation second = reserve(alice, "second", "l4", 1, 1, "home");
    Reservation secondActive = awaitStatus(second.id(), ReservationStatus.ACTIVE);

    Disk after = disks.findById(before.id()).orElseThrow();
    assertThat(after.zone()).isEqualTo("zone-b");
    assertThat(after.pvcName()).isEqualTo(Names.restoredClaim(before.id(), second.id()));
    PersistentVolumeClaim restored =
        client.persistentVolumeClaims().inNamespace(NS).withName(after.pvcName()).get();
    assertThat(restored.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
    assertThat(restored.getSpec().getDataSource().getName())
        .isEqualTo(Names.snapshot(before.id(), first.id()));
    assertThat(secondActive.nodeName()).isNotEqualTo(firstActive.nodeName());
  }

  @Test
  void aDiskMovedTwiceKeepsExactlyOneClaim() {
    simulate(NodePool.of("l4", 3, 4).inZones("zone-a", "zone-b", "zone-c"));
    processor("p1", true);
    User alice = TestData.user(jdbi, "alice");
    DiskDao disks = jdbi.onDemand(DiskDao.class);
    List<String> nodesUsed = new ArrayList<>();
    Disk disk = null;
    for (String name : List.of("first", "second", "third")) {
      Reservation r = reserve(alice, name, "l4", 1, 1, "home");
      Reservation active = awaitStatus(r.id(), ReservationStatus.ACTIVE);
      disk = disks.findByUserAndName(alice.id(), "home").orElseThrow();
      String current = disk.pvcName();
      // the verified move deletes every older claim of the disk
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> claimsOf(current).equals(List.of(current)));
      reservations.cancel(r.id(), "alice", "done");
      UUID diskId = disk.id();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> disks.findById(diskId).orElseThrow().inUseBy() == null);
      // wait for the release snapshot to be ready, then make the disk's zone full
      String snapshot = Names.snapshot(diskId, r.id());
      awaitSnapshotReady(snapshot);
      nodesUsed.add(active.nodeName());
      sim.cordon(active.nodeName(), true);
    }
    assertThat(nodesUsed).doesNotHaveDuplicates();
    assertThat(disk.zone()).isEqualTo("zone-c");
    assertThat(auditActions(Processor.ACTOR, disk.id().toString()))
        .filteredOn(a -> a.startsWith("disk.claim.delete"))
        .hasSize(2);
  }

  /** Waits until the snapshot follower recorded the snapshot {@code name} ready. */
  private void awaitSnapshotReady(String name) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                jdbi.onDemand(DiskSnapshotDao.class)
                    .findByName(name)
                    .map(DiskSnapshot::ready)
                    .orElse(false));
  }

  /** The names of the claims carrying the disk label of {@code claim}. */
  private List<String> claimsOf(String claim) {
    String diskId =
        client
            .persistentVolumeClaims()
            .inNamespace(NS)
            .withName(claim)
            .get()
            .getMetadata()
            .getLabels()
            .get(Labels.DISK_ID);
    return client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .withLabel(Labels.DISK_ID, diskId)
        .list()
        .getItems()
        .stream()
        .map(c -> c.getMetadata().getName())
        .sorted()
        .toList();
  }

  @Test
  void aFailedReleaseSnapshotIsRecordedAndTheUserToldBeforeOlderDataIsRestored() {
    sim =
        ClusterSimulator.builder(client)
            .nodes(NodePool.of("l4", 2, 4).inZones("zone-a", "zone-b"))
            .snapshotDelay(Duration.ofMillis(500))
            .start();
    processor("p1", true);
    User alice = TestData.user(jdbi, "alice");
    DiskDao disks = jdbi.onDemand(DiskDao.class);
    DiskSnapshotDao snapshots = jdbi.onDemand(DiskSnapshotDao.class);

    Reservation first = reserve(alice, "first", "l4", 1, 1, "home");
    Reservation firstActive = awaitStatus(first.id(), ReservationStatus.ACTIVE);
    Disk disk = disks.findByUserAndName(alice.id(), "home").orElseThrow();
    reservations.cancel(first.id(), "alice", "done");
    String good = Names.snapshot(disk.id(), first.id());
    awaitSnapshotReady(good);

    // the second session's release snapshot fails in the CSI driver
    sim.failSnapshots("injected: SnapshotQuotaExceeded");
    Reservation second = reserve(alice, "second", "l4", 1, 1, "home");
    awaitStatus(second.id(), ReservationStatus.ACTIVE);
    reservations.cancel(second.id(), "alice", "done");
    String bad = Names.snapshot(disk.id(), second.id());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> snapshots.findByName(bad).map(s -> s.failed()).orElse(false));
    assertThat(snapshots.findByName(bad).orElseThrow().failure()).contains("SnapshotQuotaExceeded");
    assertThat(auditActions(Processor.ACTOR, disk.id().toString()))
        .contains("disk.snapshot.ready:", "disk.snapshot.failed:");
    String oldClaim = disks.findById(disk.id()).orElseThrow().pvcName();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> disks.findById(disk.id()).orElseThrow().inUseBy() == null);

    // the disk's zone is full: a restore would have to use the older snapshot; the user is told
    sim.cordon(firstActive.nodeName(), true);
    Reservation third = reserve(alice, "third", "l4", 1, 1, "home");
    Reservation failed = awaitStatus(third.id(), ReservationStatus.FAILED);
    DiskSnapshot older = snapshots.findByName(good).orElseThrow();
    assertThat(failed.failureReason())
        .contains("the last snapshot of disk 'home' failed")
        .contains("SnapshotQuotaExceeded")
        .contains("kept in claim " + oldClaim)
        .contains("gpu-dev disk restore home --snapshot " + older.id());
    assertThat(client.persistentVolumeClaims().inNamespace(NS).withName(oldClaim).get())
        .as("the newest data is not lost")
        .isNotNull();

    // the user accepts the older snapshot: the next reservation starts from it
    sim.failSnapshots(null);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> disks.findById(disk.id()).orElseThrow().inUseBy() == null);
    assertThat(snapshots.requestRestore(older.id(), java.time.Instant.now())).isTrue();
    Reservation fourth = reserve(alice, "fourth", "l4", 1, 1, "home");
    awaitStatus(fourth.id(), ReservationStatus.ACTIVE);
    Disk moved = disks.findById(disk.id()).orElseThrow();
    assertThat(moved.zone()).isEqualTo("zone-b");
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withName(moved.pvcName())
                .get()
                .getSpec()
                .getDataSource()
                .getName())
        .isEqualTo(good);
    assertThat(snapshots.requestedRestore(disk.id())).isEmpty();
  }

  @Test
  void multiNodeReservationFailingOnOneNodeLeavesNoPods() {
    simulate(NodePool.of("l4", 2, 4));
    sim.injectFailure(p -> p.getMetadata().getName().endsWith("-1"), PodFailure.IMAGE_PULL);
    processor("p1", true);
    User alice = TestData.user(jdbi, "alice");

    Reservation r = reserve(alice, "multi", "l4", 4, 2, null);
    Reservation failed = awaitStatus(r.id(), ReservationStatus.FAILED);

    assertThat(failed.failureReason()).contains("could not be pulled").contains("ImagePull");
    await().atMost(Duration.ofSeconds(10)).until(() -> podsOf(r.id()).isEmpty());
    assertThat(client.services().inNamespace(NS).withName(Names.headlessService(r.id())).get())
        .isNull();
    assertThat(auditActions(Processor.ACTOR, r.id().toString()))
        .containsExactly("reservation.status:PREPARING", "reservation.status:FAILED");
  }

  @Test
  void podThatNeverStartsFailsAfterThePendingTimeoutAndReleasesTheDisk() {
    sim =
        ClusterSimulator.builder(client)
            .nodes(NodePool.of("l4", 1, 4))
            .startDelay(Duration.ofHours(1))
            .start();
    processor("p1", true, Duration.ofSeconds(3));
    User alice = TestData.user(jdbi, "alice");

    Reservation r = reserve(alice, "stuck", "l4", 1, 1, "home");
    Reservation failed = awaitStatus(r.id(), ReservationStatus.FAILED);

    assertThat(failed.failureReason()).startsWith("the server did not start within 3 seconds");
    await().atMost(Duration.ofSeconds(10)).until(() -> podsOf(r.id()).isEmpty());
    DiskDao disks = jdbi.onDemand(DiskDao.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> disks.findByUserAndName(alice.id(), "home").orElseThrow().inUseBy() == null);
    Disk disk = disks.findByUserAndName(alice.id(), "home").orElseThrow();
    assertThat(disk.lastSnapshotName()).isEqualTo(Names.snapshot(disk.id(), r.id()));
  }

  @Test
  void messageThatKeepsFailingIsDeadLetteredAndTheReservationFailed() {
    simulate(NodePool.of("l4", 1, 4));
    Processor processor =
        new Processor(
            jdbi,
            client,
            new KubernetesStorageBackend(client, new StorageFactory()),
            ProcessorSettings.defaults("p1")
                .withDelivery(Duration.ofSeconds(30), Duration.ofSeconds(1))
                .withMaxDeliveries(2),
            SshKeySource.of(Map.of()),
            null,
            (step, res) -> {
              if (step == Step.CLAIM) {
                throw new IllegalStateException("storage is down");
              }
            });
    processors.add(processor);
    processor.start();
    User alice = TestData.user(jdbi, "alice");

    Reservation r = reserve(alice, "unlucky", "l4", 1, 1, "home");
    Reservation failed = awaitStatus(r.id(), ReservationStatus.FAILED);

    assertThat(failed.failureReason())
        .isEqualTo("the server could not be provisioned after 2 attempts: storage is down");
    DiskDao disks = jdbi.onDemand(DiskDao.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> disks.findByUserAndName(alice.id(), "home").orElseThrow().inUseBy() == null);
    assertThat(podsOf(r.id())).isEmpty();
  }

  @Test
  void crashLoopingServerFailsWithAReasonUsersUnderstand() {
    simulate(NodePool.of("l4", 1, 4));
    sim.injectFailure(p -> true, PodFailure.CRASH_LOOP);
    processor("p1", true);
    User alice = TestData.user(jdbi, "alice");

    Reservation r = reserve(alice, "crashy", "l4", 1, 1, null);
    Reservation failed = awaitStatus(r.id(), ReservationStatus.FAILED);

    assertThat(failed.failureReason()).contains("keeps crashing").contains("CrashLoopBackOff");
    await().atMost(Duration.ofSeconds(10)).until(() -> podsOf(r.id()).isEmpty());
  }

  @Test
  void duplicateDeliveriesAndTwoProcessorsCreateExactlyOneOfEverything() {
    simulate(NodePool.of("h100", 2, 8));
    processor("p1", true);
    processor("p2", true);
    User alice = TestData.user(jdbi, "alice");
    Pgmq pgmq = new Pgmq(jdbi);

    Reservation r = reserve(alice, "dup", "h100", 8, 1, "home");
    for (int i = 0; i < 3; i++) {
      pgmq.send(
          ReservationMessage.QUEUE,
          new ReservationMessage(r.id(), ReservationMessage.Action.PROVISION));
    }
    awaitStatus(r.id(), ReservationStatus.ACTIVE);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> pgmq.metrics(ReservationMessage.QUEUE).queueLength() == 0);

    assertOneOfEverything(r, alice);
  }

  @Test
  void processorDyingAtAnyStepIsRecoveredByAnother() {
    simulate(NodePool.of("h100", 1, 8));
    User alice = TestData.user(jdbi, "alice");
    Processor survivor = null;
    for (Step step :
        List.of(Step.CAPACITY, Step.DISK_LOCK, Step.CLAIM, Step.OWNER, Step.SERVICES, Step.PODS)) {
      Processor doomed =
          processor(
              "doomed-" + step,
              false,
              Duration.ofMinutes(10),
              (s, res) -> {
                if (s == step) {
                  throw new IllegalStateException("killed before " + step);
                }
              });
      Reservation r =
          reserve(
              alice,
              "crash-" + step.name().toLowerCase().replace('_', '-'),
              "h100",
              1,
              1,
              "disk-" + step.name().toLowerCase().replace('_', '-'));
      try {
        doomed.handle(new ReservationMessage(r.id(), ReservationMessage.Action.PROVISION));
      } catch (IllegalStateException expected) {
        // the processor "died" here; its lease stays behind until the TTL runs out
      }
      jdbi.onDemand(ReservationDao.class)
          .acquireLease(r.id(), "doomed-" + step, Duration.ofSeconds(2));
      if (survivor == null) {
        survivor = processor("survivor", true);
      }
      awaitStatus(r.id(), ReservationStatus.ACTIVE);
      assertOneOfEverything(r, alice);
      reservations.cancel(r.id(), "alice", "next step");
      await().atMost(Duration.ofSeconds(20)).until(() -> podsOf(r.id()).isEmpty());
    }
  }

  private void assertOneOfEverything(Reservation r, User user) {
    assertThat(podsOf(r.id())).hasSize(r.nodeCount());
    assertThat(
            client
                .services()
                .inNamespace(NS)
                .withLabel(Labels.RESERVATION_ID, r.id().toString())
                .list()
                .getItems())
        .hasSize(1);
    assertThat(
            client
                .configMaps()
                .inNamespace(NS)
                .withLabel(Labels.RESERVATION_ID, r.id().toString())
                .list()
                .getItems())
        .hasSize(1);
    Disk disk =
        jdbi.onDemand(DiskDao.class).findByUserAndName(user.id(), r.diskName()).orElseThrow();
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withLabel(Labels.DISK_ID, disk.id().toString())
                .list()
                .getItems())
        .hasSize(1);
    assertThat(auditActions(Processor.ACTOR, r.id().toString()))
        .containsExactly("reservation.status:PREPARING", "reservation.status:ACTIVE");
    assertThat(auditActions(Processor.ACTOR, disk.id().toString()))
        .containsExactly("disk.create:", "disk.lock:");
  }
}
