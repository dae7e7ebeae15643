package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.core.Disk;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.core.queue.DiskOperationMessage;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.cronjobs.CronjobsApplication;
import dev.odc.cronjobs.CronjobsConfiguration;
import dev.odc.cronjobs.scheduler.CronTask;
import dev.odc.cronjobs.scheduler.CronjobsMigrations;
import dev.odc.cronjobs.scheduler.PartialFailureException;
import dev.odc.cronjobs.scheduler.RunContext;
import dev.odc.cronjobs.snapshots.StorageBackendSnapshotStore;
import dev.odc.database.DiskDao;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.database.NewReservation;
import dev.odc.database.ReservationDao;
import dev.odc.database.Reservations;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import dev.odc.deploy.Chart.Profile;
import dev.odc.deploy.RbacTest.Permission;
import dev.odc.processor.Processor;
import dev.odc.processor.ProcessorConfiguration;
import dev.odc.processor.SshKeySource;
import dev.odc.processor.Step;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import dev.odc.testing.MutableClock;
import dev.odc.testing.sim.ClusterSimulator;
import dev.odc.testing.sim.NodePool;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RBAC from what the code really sends. The real reservation-processor and the real cronjobs jobs
 * run a full lifecycle against the fabric8 mock server (CRUD mode, a {@link ClusterSimulator}
 * playing kubelet, scheduler and CSI driver) and embedded PostgreSQL, each service through a client
 * of its own that records every request. The recorded requests, mapped to RBAC permissions, must be
 * granted by the chart's Roles and ClusterRoles for that service account, and the chart must grant
 * nothing that was not recorded, except the few permissions in {@link #UNEXERCISED}.
 */
@EnableKubernetesMockClient(crud = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordedRbacIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private static final String NS = "odc-reservations";
  private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE alice@laptop";
  private static final String PROCESSOR = "reservation-processor";
  private static final String CRONJOBS = "cronjobs";

  /**
   * Granted by the chart but not reached by the lifecycle below. Each entry says which code path
   * needs it and why this test cannot reach it. Keep this short and true: an entry that the
   * lifecycle does record fails {@link #allowlistHoldsOnlyWhatTheLifecycleCannotReach}.
   */
  private static final Map<String, Map<Permission, Unexercised>> UNEXERCISED =
      Map.of(
          PROCESSOR,
          Map.of(
              new Permission("reservations", "", "services", "get"),
              new Unexercised(
                  "ReservationServices.sshNodePort reads the SSH service from the API server when the"
                      + " service informer has not seen it yet; which one answers first is a"
                      + " race, usually won by the informer.",
                  true)),
          CRONJOBS,
          Map.of());

  /**
   * Why a granted permission is not exercised; {@code racy}: the lifecycle reaches it only when a
   * race goes one way, so it may or may not be recorded.
   */
  record Unexercised(String why, boolean racy) {}

  /** The mock server's own client: the simulator and the test's set-up use it, unrecorded. */
  static KubernetesClient client;

  private final Map<String, Set<Permission>> recorded = new TreeMap<>();
  private final Map<String, List<RecordingClient.Sent>> sent = new TreeMap<>();
  private final Map<String, List<String>> written = new TreeMap<>();

  @BeforeAll
  void runTheLifecycle() throws Exception {
    db.clean();
    Jdbi jdbi = db.jdbi();
    CronjobsMigrations.migrate(db.dataSource());
    Reservations reservations = new Reservations(jdbi, new Pgmq(jdbi));
    RecordingClient processorClient =
        new RecordingClient(client.getConfiguration(), Chart.NAMESPACE);
    RecordingClient cronjobsClient =
        new RecordingClient(client.getConfiguration(), Chart.NAMESPACE);
    List<HasMetadata> chart = Chart.parse(Chart.template(Profile.DEFAULT));
    ProcessorConfiguration processorConfig =
        ServiceConfigTest.load(ProcessorConfiguration.class, chart, "odc-reservation-processor");
    CronjobsConfiguration cronjobsConfig =
        ServiceConfigTest.load(CronjobsConfiguration.class, chart, "odc-cronjobs");

    ClusterSimulator sim =
        ClusterSimulator.builder(client)
            .nodes(NodePool.of("l4", 2, 4).inZones("zone-a", "zone-b"))
            .nodes(NodePool.of("h100", 2, 8))
            .start();
    // Built the way ProcessorApplication builds it, from the chart's configuration.
    Processor processor =
        new Processor(
            jdbi,
            processorClient.client(),
            new KubernetesStorageBackend(processorClient.client(), processorConfig.getStorage()),
            processorConfig.settings().withSweepInterval(Duration.ofMillis(500)),
            SshKeySource.of(Map.of("alice", List.of(KEY), "bob", List.of(KEY))),
            null);
    // A second replica of the same service account that dies half-way through a provisioning.
    Processor doomed =
        new Processor(
            jdbi,
            processorClient.client(),
            new KubernetesStorageBackend(processorClient.client(), processorConfig.getStorage()),
            processorConfig.settings().withWorkerId("doomed"),
            SshKeySource.of(Map.of("bob", List.of(KEY))),
            null,
            (step, r) -> {
              if (step == Step.SERVICES) {
                throw new IllegalStateException("killed before " + step);
              }
            });
    MutableClock clock = new MutableClock(Instant.now());
    try {
      User alice = TestData.user(jdbi, "alice");
      User bob = TestData.user(jdbi, "bob");
      ReservationDao dao = jdbi.onDemand(ReservationDao.class);
      DiskDao disks = jdbi.onDemand(DiskDao.class);

      // 0. a replica dies after creating the disk and the owner ConfigMap; the PROVISION message
      // is redelivered and the surviving replica resumes the PREPARING reservation.
      doomed.startWatching();
      Reservation crashed = reserve(reservations, bob, "crashed", "h100", 1, 1, "scratch");
      assertThatThrownBy(
              () ->
                  doomed.handle(
                      new ReservationMessage(crashed.id(), ReservationMessage.Action.PROVISION)))
          .hasMessageContaining("killed before SERVICES");
      assertThat(dao.findById(crashed.id()).orElseThrow().status())
          .isEqualTo(ReservationStatus.PREPARING);
      dao.acquireLease(crashed.id(), "doomed", Duration.ofSeconds(1));
      processor.start();
      awaitStatus(dao, crashed.id(), ReservationStatus.ACTIVE);
      reservations.cancel(crashed.id(), "bob", "done");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> disks.findByUserAndName(bob.id(), "scratch").orElseThrow().inUseBy() == null);

      // 1. reserve with a new disk, ACTIVE, extend, cancel (the disk is snapshotted).
      Reservation first = reserve(reservations, alice, "first", "l4", 1, 1, "home");
      Reservation firstActive = awaitStatus(dao, first.id(), ReservationStatus.ACTIVE);
      reservations.extend(first.id(), 1.0, "alice");
      awaitQueueDrained(jdbi);
      reservations.cancel(first.id(), "alice", "done");
      Disk home = disks.findByUserAndName(alice.id(), "home").orElseThrow();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> disks.findById(home.id()).orElseThrow().inUseBy() == null);
      assertThat(disks.findById(home.id()).orElseThrow().lastSnapshotName()).isNotNull();

      // 2. the disk's zone is full: the next reservation restores the disk from its snapshot.
      sim.cordon(firstActive.nodeName(), true);
      Reservation second = reserve(reservations, alice, "second", "l4", 1, 1, "home");
      Reservation secondActive = awaitStatus(dao, second.id(), ReservationStatus.ACTIVE);
      assertThat(disks.findById(home.id()).orElseThrow().zone()).isEqualTo("zone-b");
      sim.cordon(firstActive.nodeName(), false);

      // 3. a multi-node reservation, torn down by a cancel.
      Reservation multi = reserve(reservations, bob, "multi", "h100", 8, 2, null);
      awaitStatus(dao, multi.id(), ReservationStatus.ACTIVE);
      reservations.cancel(multi.id(), "bob", "done");
      awaitStatus(dao, multi.id(), ReservationStatus.CANCELLED);

      // 4. the cronjobs, built the way CronjobsApplication builds them from the chart's config.
      KubernetesClient kube = cronjobsClient.client();
      StorageBackendSnapshotStore snapshots =
          new StorageBackendSnapshotStore(
              new KubernetesStorageBackend(kube, cronjobsConfig.getStorage()),
              cronjobsConfig.getStorage().getNamespace(),
              Optional.empty());
      Map<String, CronTask> jobs =
          CronjobsApplication.jobs(cronjobsConfig, jdbi, kube, snapshots, clock).tasks().stream()
              .collect(Collectors.toMap(CronTask::name, t -> t, (a, b) -> a, LinkedHashMap::new));
      runJob(jobs.get("availability"), clock);
      runJob(jobs.get("reconciliation"), clock);
      // expiry: ten minutes before the deadline sends a warning (event + exec into the pod) ...
      Instant deadline = dao.findById(second.id()).orElseThrow().expiresAt();
      clock.set(deadline.minus(Duration.ofMinutes(10)));
      runJob(jobs.get("expiry"), clock);
      // ... and past the deadline and its grace enqueues EXPIRE, which the processor carries out.
      clock.set(deadline.plus(Duration.ofMinutes(10)));
      runJob(jobs.get("expiry"), clock);
      // The processor tears it down. (It should end EXPIRED; today the processor's pod watch can
      // mark it FAILED, "pod disappeared", while the EXPIRE teardown deletes the pod. Reported;
      // this
      // test records requests and only needs the teardown to happen.)
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> dao.findById(second.id()).orElseThrow().status().isTerminal());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> disks.findById(home.id()).orElseThrow().inUseBy() == null);
      // the user deletes the disk, as the api-service's DELETE /v1/disks/{name} does (soft
      // delete and a disk_operations message in one transaction): the processor removes its
      // claims (the first one and the one restored into zone-b).
      jdbi.useTransaction(
          h -> {
            assertThat(h.attach(DiskDao.class).softDelete(home.id(), clock.instant())).isTrue();
            new Pgmq(jdbi)
                .send(
                    h,
                    DiskOperationMessage.QUEUE,
                    new DiskOperationMessage(home.id(), DiskOperationMessage.Operation.DELETE));
          });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client
                      .persistentVolumeClaims()
                      .inNamespace(NS)
                      .withLabel(Labels.DISK_ID, home.id().toString())
                      .list()
                      .getItems()
                      .isEmpty());
      // snapshot retention: the disk is deleted; its snapshots go after the max age.
      assertThat(jdbi.onDemand(DiskSnapshotDao.class).listByDisk(home.id())).isNotEmpty();
      clock.set(clock.instant().plus(Duration.ofDays(30)));
      runJob(jobs.get("snapshot-retention"), clock);
      assertThat(jdbi.onDemand(DiskSnapshotDao.class).listByDisk(home.id()))
          .as("snapshot retention deleted the deleted disk's snapshots")
          .isEmpty();
      runJob(jobs.get("reconciliation"), clock);
      runJob(jobs.get("availability"), clock);
      assertThat(secondActive.podName()).isNotNull();
    } finally {
      doomed.stop();
      processor.stop();
      sim.close();
      processorClient.close();
      cronjobsClient.close();
    }
    record(PROCESSOR, processorClient);
    record(CRONJOBS, cronjobsClient);
  }

  private void record(String service, RecordingClient recording) {
    sent.put(service, recording.sent());
    written.put(service, recording.written());
    Set<Permission> permissions = new TreeSet<>();
    for (RecordingClient.Sent s : recording.sent()) {
      permissions.addAll(RbacRequest.permissions(s.method(), s.uri(), NS));
    }
    recorded.put(service, permissions);
  }

  @Test
  @Order(1)
  void eachServiceSentRequests() {
    assertThat(sent.get(PROCESSOR)).isNotEmpty();
    assertThat(sent.get(CRONJOBS)).isNotEmpty();
    System.out.println("recorded permissions:");
    recorded.forEach(
        (service, permissions) -> permissions.forEach(p -> System.out.println(service + "  " + p)));
  }

  /**
   * The mock server stores whatever it is sent; a real API server refuses an object that breaks its
   * schema. Every object the services created or replaced during the lifecycle passes it.
   */
  @Test
  void everyObjectTheServicesWrotePassesTheApiServersSchema() {
    assumeTrue(KubernetesSchema.available(), "node and npm are needed to validate schemas");
    List<JsonNode> objects = new ArrayList<>();
    written.values().forEach(bodies -> bodies.forEach(body -> objects.add(Chart.yaml(body))));
    assertThat(objects)
        .extracting(o -> o.path("kind").asText())
        .contains("Pod", "Service", "PersistentVolumeClaim", "ConfigMap", "VolumeSnapshot");

    List<KubernetesSchema.Verdict> verdicts = KubernetesSchema.validate(objects);

    assertThat(verdicts).filteredOn(v -> !v.valid()).as("objects a real cluster refuses").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void chartGrantsEveryRecordedPermission(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));
    for (String service : List.of(PROCESSOR, CRONJOBS)) {
      Set<Permission> granted = RbacTest.granted(objects, Chart.RELEASE + "-" + service);
      List<Permission> missing =
          recorded.get(service).stream().filter(p -> !covers(granted, p)).toList();
      if (!missing.isEmpty()) {
        sent.get(service).forEach(r -> System.out.println(service + " sent " + r));
      }
      assertThat(missing)
          .as("permissions %s needs but the chart (%s) does not grant", service, profile)
          .isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void chartGrantsNothingBeyondWhatWasRecordedOrAllowlisted(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));
    for (String service : List.of(PROCESSOR, CRONJOBS)) {
      Set<Permission> granted = RbacTest.granted(objects, Chart.RELEASE + "-" + service);
      List<Permission> unused =
          granted.stream()
              .filter(g -> recorded.get(service).stream().noneMatch(r -> covers(Set.of(g), r)))
              .filter(g -> !UNEXERCISED.get(service).containsKey(g))
              .toList();
      assertThat(unused)
          .as("granted to %s by the chart (%s) but never used by the lifecycle", service, profile)
          .isEmpty();
    }
  }

  @Test
  void allowlistHoldsOnlyWhatTheLifecycleCannotReach() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.DEFAULT));
    UNEXERCISED.forEach(
        (service, permissions) -> {
          Set<Permission> granted = RbacTest.granted(objects, Chart.RELEASE + "-" + service);
          for (Map.Entry<Permission, Unexercised> entry : permissions.entrySet()) {
            Permission p = entry.getKey();
            if (!entry.getValue().racy()) {
              assertThat(recorded.get(service).stream().anyMatch(r -> covers(Set.of(p), r)))
                  .as("%s %s is recorded now: drop it from the allowlist", service, p)
                  .isFalse();
            }
            assertThat(granted).as("allowlisted %s %s is not granted", service, p).contains(p);
          }
        });
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void noOtherServiceAccountHasKubernetesRights(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));
    for (ServiceAccount account : Chart.ofType(objects, ServiceAccount.class)) {
      String name = account.getMetadata().getName();
      if (!name.equals(Chart.RELEASE + "-" + PROCESSOR)
          && !name.equals(Chart.RELEASE + "-" + CRONJOBS)) {
        assertThat(RbacTest.granted(objects, name)).as("rights of %s", name).isEmpty();
      }
    }
  }

  /**
   * Whether a grant set allows a recorded permission: a grant in the same scope, or a cluster-wide
   * grant (a ClusterRole bound by a ClusterRoleBinding holds in every namespace). Non-resource URLs
   * (discovery) are allowed to every authenticated user by the built-in system:discovery role.
   */
  private static boolean covers(Set<Permission> granted, Permission p) {
    if (p.scope().equals("nonResource")) {
      return p.verb().equals("get");
    }
    return granted.contains(p)
        || (!p.scope().equals("cluster")
            && granted.contains(new Permission("cluster", p.apiGroup(), p.resource(), p.verb())));
  }

  private static Reservation reserve(
      Reservations reservations,
      User user,
      String name,
      String gpuType,
      int gpus,
      int nodes,
      String disk) {
    return reservations.create(
        new NewReservation(
            user.id(), user.username(), name, gpuType, gpus, nodes, null, 2.0, disk, Map.of()),
        user.username());
  }

  private static Reservation awaitStatus(ReservationDao dao, UUID id, ReservationStatus status) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> dao.findById(id).orElseThrow().status(), s -> s == status);
    return dao.findById(id).orElseThrow();
  }

  private static void awaitQueueDrained(Jdbi jdbi) {
    Pgmq pgmq = new Pgmq(jdbi);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> pgmq.metrics(ReservationMessage.QUEUE).queueLength() == 0);
  }

  /** Runs a job once; a partial failure (the mock server cannot exec) still sent its requests. */
  private static void runJob(CronTask job, MutableClock clock) throws Exception {
    try {
      job.run(new RunContext(clock.instant(), clock.instant(), "rbac-test"));
    } catch (PartialFailureException e) {
      System.out.println(job.name() + " partly failed: " + e.getMessage());
    }
  }
}
