package dev.odc.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.odc.testing.sim.NodePool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox configuration of each service, as the YAML file its Dropwizard {@code server} command
 * reads; written to {@code <data-dir>/run/} so users can see exactly what runs.
 */
final class ServiceConfigs {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private ServiceConfigs() {}

  static Map<String, Object> api(Services.Settings s) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("server", server(s.apiPort()));
    root.put("logging", logging(s));
    root.put("database", database(s, 8));
    // The launcher has migrated already; the services start in parallel.
    root.put("migrateOnStart", false);
    root.put("simulatedCluster", s.simulatedCluster());
    Map<String, Object> oidc = new LinkedHashMap<>();
    oidc.put("issuer", s.issuer().url());
    oidc.put("audience", s.issuer().audience());
    oidc.put("clientId", s.issuer().clientId());
    oidc.put("adminGroups", List.of(LocalIdentityProvider.ADMIN_GROUP));
    root.put("oidc", oidc);
    List<Map<String, Object>> types = new ArrayList<>();
    for (NodePool pool : s.pools()) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("name", pool.gpuType());
      t.put("nodeLabelValue", pool.gpuType());
      t.put("gpusPerNode", pool.gpusPerNode());
      t.put("cpusPerNode", pool.cpusPerNode());
      t.put("memoryGbPerNode", pool.memoryGiPerNode());
      types.add(t);
    }
    root.put("gpuTypes", types);
    return root;
  }

  static Map<String, Object> processor(Services.Settings s) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("server", server(0));
    root.put("logging", logging(s));
    root.put("database", database(s, 6));
    root.put("kubernetes", kubernetes(s));
    root.put("workerId", "sandbox");
    // Quick turns, so that a reservation is ACTIVE a few seconds after `gpu-dev reserve`.
    root.put("sweepInterval", "2s");
    root.put("retryDelay", "2s");
    root.put("leaseTtl", "30s");
    return root;
  }

  static Map<String, Object> cronjobs(Services.Settings s) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("server", server(0));
    root.put("logging", logging(s));
    root.put("database", database(s, 4));
    Map<String, Object> kube = new LinkedHashMap<>();
    kube.put("masterUrl", s.masterUrl().orElse(""));
    kube.put("namespace", s.namespace());
    root.put("kubernetes", kube);
    Map<String, Object> scheduler = new LinkedHashMap<>();
    scheduler.put("instanceId", "sandbox");
    scheduler.put("threads", 2);
    root.put("scheduler", scheduler);
    Map<String, Object> jobs = new LinkedHashMap<>();
    // Availability every few seconds so `gpu-dev avail` follows reservations closely.
    jobs.put("availability", Map.of("interval", "5s"));
    // Short warnings, so that a one-hour sandbox reservation shows them.
    Map<String, Object> expiry = new LinkedHashMap<>();
    expiry.put("interval", "15s");
    expiry.put("warningMinutes", List.of(15, 5, 1));
    expiry.put("grace", "1m");
    expiry.put("vanishedPodGrace", "1m");
    jobs.put("expiry", expiry);
    jobs.put("snapshotRetention", Map.of("interval", "10m"));
    jobs.put("reconciliation", Map.of("interval", "5m"));
    root.put("jobs", jobs);
    return root;
  }

  private static Map<String, Object> kubernetes(Services.Settings s) {
    Map<String, Object> kube = new LinkedHashMap<>();
    if (s.masterUrl().isPresent()) {
      kube.put("masterUrl", s.masterUrl().get());
    } else {
      kube.put("kubeconfig", s.kubeconfig().toString());
      s.context().ifPresent(c -> kube.put("context", c));
    }
    kube.put("namespace", s.namespace());
    return kube;
  }

  static Map<String, Object> server(int port) {
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("applicationConnectors", List.of(connector(port)));
    // Admin pages (health, metrics) on any free port: the sandbox does not advertise them.
    server.put("adminConnectors", List.of(connector(0)));
    server.put("requestLog", Map.of("appenders", List.of()));
    return server;
  }

  private static Map<String, Object> connector(int port) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", "http");
    c.put("bindHost", "127.0.0.1");
    c.put("port", port);
    return c;
  }

  /**
   * All services log to one file; only warnings reach the terminal, where the banner is. The
   * services share one logging system in this JVM, so every configuration says the same.
   */
  static Map<String, Object> logging(Services.Settings s) {
    Map<String, Object> logging = new LinkedHashMap<>();
    logging.put("level", "INFO");
    logging.put(
        "loggers",
        Map.of(
            "org.eclipse.jetty", "WARN",
            "org.flywaydb", "WARN",
            "io.fabric8.kubernetes.client.informers", "WARN",
            "io.vertx.core.impl.BlockedThreadChecker", "ERROR",
            "org.quartz", "WARN"));
    Map<String, Object> console = new LinkedHashMap<>();
    console.put("type", "console");
    console.put("threshold", "WARN");
    console.put("target", "stderr");
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("type", "file");
    file.put("currentLogFilename", s.logFile().toAbsolutePath().toString());
    file.put("archive", false);
    logging.put("appenders", List.of(console, file));
    return logging;
  }

  static Map<String, Object> database(Services.Settings s, int maxSize) {
    Map<String, Object> db = new LinkedHashMap<>();
    db.put("driverClass", "org.postgresql.Driver");
    db.put("url", s.database().jdbcUrl());
    db.put("user", s.database().user());
    db.put("password", s.database().password());
    db.put("minSize", 1);
    db.put("initialSize", 1);
    db.put("maxSize", maxSize);
    return db;
  }

  /** Writes {@code config} as YAML readable only by the owner (it may hold a password). */
  static Path write(Path dir, String name, Map<String, Object> config) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(name);
    Path tmp = dir.resolve(name + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, YAML.writeValueAsBytes(config));
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return file;
  }
}
