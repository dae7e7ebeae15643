package dev.odc.bench;

import com.codahale.metrics.MetricRegistry;
import dev.odc.api.ApiApplication;
import dev.odc.api.ApiConfiguration;
import dev.odc.database.Database;
import dev.odc.database.GpuTypeDao;
import dev.odc.testing.sim.ClusterSimulator;
import dev.odc.testing.sim.CrudApiServer;
import dev.odc.testing.sim.NodePool;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * The real servers the benchmarks share, started on first use: embedded PostgreSQL (one fresh
 * database per benchmark, so queues and rows of one never reach another), fabric8's mock API server
 * in CRUD mode with the cluster simulator, and a loopback OIDC issuer.
 */
final class BenchEnv implements AutoCloseable {
  static final String GPU_TYPE = "h100";

  private final List<ManagedDataSource> pools = new ArrayList<>();
  private final List<AutoCloseable> atEnd = new ArrayList<>();
  private EmbeddedPostgres postgres;
  private KubernetesMockServer k8sServer;
  private KubernetesClient k8s;
  private ClusterSimulator simulator;
  private TokenIssuer issuer;
  private int databases;

  synchronized EmbeddedPostgres postgres() throws IOException {
    if (postgres == null) {
      postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
    }
    return postgres;
  }

  /** A new, migrated database. */
  synchronized Db database(String prefix) throws IOException, SQLException {
    String name = prefix + "_" + (++databases);
    try (Connection c = postgres().getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    }
    String url = postgres().getJdbcUrl("postgres", name);
    DataSourceFactory factory = new DataSourceFactory();
    factory.setDriverClass("org.postgresql.Driver");
    factory.setUrl(url);
    factory.setUser("postgres");
    factory.setPassword("postgres");
    factory.setMaxSize(32);
    factory.setMinSize(4);
    factory.setInitialSize(4);
    ManagedDataSource pool = factory.build(new MetricRegistry(), "bench-" + name);
    try {
      pool.start();
    } catch (Exception e) {
      throw new SQLException("pool for " + name + " did not start", e);
    }
    pools.add(pool);
    Database.migrate(pool);
    Jdbi jdbi = Database.jdbi(pool);
    jdbi.useExtension(
        GpuTypeDao.class, dao -> dao.upsertDefinition(GPU_TYPE, GPU_TYPE, 8, 192, 2048));
    return new Db(name, url, pool, jdbi, postgres().getPort());
  }

  /** One migrated database with its JDBC URL, pooled data source and Jdbi. */
  record Db(String name, String url, ManagedDataSource dataSource, Jdbi jdbi, int port) {}

  synchronized KubernetesClient kubernetes() throws IOException {
    if (k8s == null) {
      k8sServer = CrudApiServer.start(0);
      k8s = k8sServer.createClient();
    }
    return k8s;
  }

  /**
   * The simulated scheduler and kubelet: pods become Ready at once, on {@code nodes} nodes of 8
   * GPUs (the first caller decides; every benchmark's reservations take 1 GPU and stay ACTIVE).
   */
  synchronized ClusterSimulator simulator(int nodes) throws IOException {
    if (simulator == null) {
      simulator =
          ClusterSimulator.builder(kubernetes())
              .nodes(NodePool.of(GPU_TYPE, nodes, 8))
              .startDelay(Duration.ZERO)
              .start();
    }
    return simulator;
  }

  synchronized TokenIssuer issuer() throws Exception {
    if (issuer == null) {
      issuer = TokenIssuer.start();
    }
    return issuer;
  }

  /** Starts the api-service in this JVM on {@code db}; the caller stops it with {@code after()}. */
  DropwizardTestSupport<ApiConfiguration> startApi(Db db) throws Exception {
    Path config = Files.createTempFile("odc-bench-api", ".yml");
    try (InputStream in = BenchEnv.class.getResourceAsStream("/bench-api.yml")) {
      if (in == null) {
        throw new IOException("bench-api.yml is not on the classpath");
      }
      Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
    }
    config.toFile().deleteOnExit();
    String issuerUrl = issuer().issuer();
    DropwizardTestSupport<ApiConfiguration> api =
        new DropwizardTestSupport<>(
            ApiApplication.class,
            config.toString(),
            ConfigOverride.config("database.url", db.url()),
            ConfigOverride.config("oidc.issuer", issuerUrl));
    api.before();
    return api;
  }

  /**
   * Closes {@code c} when the run ends. For watches: the mock server's event loop blocks for
   * seconds when a watch closes, which would fail the next benchmark's requests.
   */
  synchronized void closeAtEnd(AutoCloseable c) {
    atEnd.add(c);
  }

  @Override
  public synchronized void close() {
    // Each part is closed on its own: one that fails to stop must not keep the others running.
    for (AutoCloseable c : atEnd) {
      quietly(c::close);
    }
    if (simulator != null) {
      quietly(simulator::close);
    }
    if (k8s != null) {
      quietly(k8s::close);
    }
    if (k8sServer != null) {
      quietly(k8sServer::destroy);
    }
    if (issuer != null) {
      quietly(issuer::close);
    }
    for (ManagedDataSource pool : pools) {
      quietly(pool::stop);
    }
    if (postgres != null) {
      quietly(postgres::close);
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      System.err.println("bench: while shutting down: " + e);
    }
  }
}
