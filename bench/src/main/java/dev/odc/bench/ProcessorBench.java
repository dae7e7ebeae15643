package dev.odc.bench;

import dev.odc.core.Labels;
import dev.odc.core.User;
import dev.odc.database.NewReservation;
import dev.odc.database.Reservations;
import dev.odc.database.UserDao;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.processor.Processor;
import dev.odc.processor.ProcessorSettings;
import dev.odc.processor.SshKeySource;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Figure 3: reservations already in the database and queue, provisioned to ACTIVE (PVC + pod +
 * service, Ready at once in the simulator) by 1 and then 2 in-JVM processors; next to raw fabric8
 * creates of the same three objects against the same mock API server.
 */
final class ProcessorBench {
  static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBench bench@odc";

  private static final Duration LIMIT = Duration.ofSeconds(180);

  private ProcessorBench() {}

  static void run(BenchEnv env, Report report, boolean quick) throws Exception {
    int n = quick ? 8 : 150;
    env.simulator(quick ? 20 : 200);
    double one = provision(env, n, 1);
    double two = provision(env, n, 2);
    double raw = rawCreates(env.kubernetes(), quick ? 10 : 150);
    report.add(
        new Figure(
            "3a",
            "Processor throughput, 1 processor",
            one,
            "resv/s",
            "raw fabric8 PVC+pod+svc creates",
            raw,
            true,
            "≥ 200/s",
            one >= 200,
            n + " reservations with a disk each, from queue to ACTIVE; baseline is 1 thread"));
    report.add(
        new Figure(
            "3b",
            "Processor throughput, 2 processors",
            two,
            "resv/s",
            "raw fabric8 PVC+pod+svc creates",
            raw,
            true,
            "(scaling)",
            two >= one,
            String.format(Locale.ROOT, "%.2f× one processor", two / one)));
  }

  /** Creates {@code n} reservations, then starts {@code processors} and times until all ACTIVE. */
  private static double provision(BenchEnv env, int n, int processors) throws Exception {
    BenchEnv.Db db = env.database("processor");
    Reservations reservations = new Reservations(db.jdbi(), new Pgmq(db.jdbi()));
    User user = user(db, "bench");
    for (int i = 0; i < n; i++) {
      reservations.create(
          new NewReservation(
              user.id(),
              user.username(),
              "r" + i,
              BenchEnv.GPU_TYPE,
              1,
              1,
              null,
              2.0,
              "d" + i,
              Map.of()),
          user.username());
    }
    List<Processor> started = new ArrayList<>();
    try {
      for (int p = 0; p < processors; p++) {
        Processor processor =
            new Processor(
                db.jdbi(),
                env.kubernetes(),
                new KubernetesStorageBackend(env.kubernetes(), new StorageFactory()),
                ProcessorSettings.defaults("bench-" + db.name() + "-" + p),
                SshKeySource.of(Map.of(user.username(), List.of(KEY))),
                null);
        started.add(processor);
        // informers first: their initial lists are start-up, not provisioning
        processor.startWatching();
      }
      // LISTEN connections from a source of their own, as ProcessorApplication does: each worker
      // holds one, and taken from the pool they would leave the workers short of connections
      PGSimpleDataSource listen = new PGSimpleDataSource();
      listen.setUrl(db.url());
      listen.setUser("postgres");
      listen.setPassword("postgres");
      long start = System.nanoTime();
      for (Processor processor : started) {
        processor.start(listen);
      }
      // A slow machine gets a time limit instead of an endless wait: the rate is then what was
      // provisioned within it, which bounds the real one from above.
      long deadline = System.nanoTime() + LIMIT.toNanos();
      long active;
      while (true) {
        // one query every 50 ms (0.25% of a 20-s run): the poll shares the cores with what it
        // measures, and polling every few milliseconds took a visible share of them
        long[] counts = activeAndFailed(db);
        active = counts[0];
        if (active >= n) {
          break;
        }
        long failed = counts[1];
        if (failed > 0) {
          throw new IllegalStateException(failed + " reservations FAILED while provisioning");
        }
        if (System.nanoTime() > deadline) {
          if (active == 0) {
            throw new IllegalStateException("no reservation ACTIVE after " + LIMIT);
          }
          System.err.printf(
              "bench: only %d of %d ACTIVE within %s with %d processor(s)%n",
              active, n, LIMIT, processors);
          break;
        }
        Thread.sleep(50);
      }
      return active / ((System.nanoTime() - start) / 1e9);
    } finally {
      for (Processor p : started) {
        p.stop();
      }
    }
  }

  private static long[] activeAndFailed(BenchEnv.Db db) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "select count(*) filter (where status = 'ACTIVE') as active,"
                            + " count(*) filter (where status = 'FAILED') as failed"
                            + " from reservations")
                    .map((rs, ctx) -> new long[] {rs.getLong("active"), rs.getLong("failed")})
                    .one());
  }

  static User user(BenchEnv.Db db, String username) {
    return db.jdbi()
        .onDemand(UserDao.class)
        .upsert(
            new User(
                UUID.randomUUID(),
                "https://bench.test",
                username,
                username,
                username + "@bench.test",
                Set.of(),
                false,
                Instant.now().truncatedTo(ChronoUnit.MICROS)));
  }

  /** Sets of PVC + pod + service created one after another by one thread; sets per second. */
  private static double rawCreates(KubernetesClient client, int n) {
    String ns = "odc-bench-raw";
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String name = "raw-" + UUID.randomUUID();
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(
              new PersistentVolumeClaimBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewSpec()
                  .withAccessModes("ReadWriteOnce")
                  .withNewResources()
                  .withRequests(Map.of("storage", new Quantity("50Gi")))
                  .endResources()
                  .endSpec()
                  .build())
          .create();
      client
          .pods()
          .inNamespace(ns)
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .withLabels(Map.of("odc.dev/bench", "raw"))
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("dev")
                  .withImage("img")
                  .withNewResources()
                  .withLimits(Map.of(Labels.GPU_RESOURCE, new Quantity("1")))
                  .endResources()
                  .endContainer()
                  .withNodeSelector(Map.of("odc.dev/bench", "none"))
                  .endSpec()
                  .build())
          .create();
      client
          .services()
          .inNamespace(ns)
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewSpec()
                  .withType("NodePort")
                  .withSelector(Map.of("odc.dev/bench", "raw"))
                  .addNewPort()
                  .withPort(22)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }
}
