package dev.odc.sandbox;

import ch.qos.logback.classic.Level;
import dev.odc.database.Database;
import dev.odc.testing.sim.NodePool;
import io.dropwizard.logging.common.BootstrapLogging;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/sandbox}: the whole ODC platform on one machine. PostgreSQL (embedded, data kept), a
 * loopback OIDC provider, a simulated Kubernetes cluster with GPU nodes, and the api-service,
 * reservation-processor and cronjobs, with the CLI pointed at it.
 */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    version = "odc sandbox 0.1.0",
    description =
        "Runs the whole ODC platform on this machine for a first try without a cloud:"
            + " PostgreSQL, an OIDC login page, a simulated GPU cluster, the API, the reservation"
            + " processor and the cron jobs. Ctrl-C stops everything.",
    footer = {
      "",
      "Examples:",
      "  bin/sandbox",
      "  bin/sandbox --admin alice --nodes h100=2x8,l4=4x4,a10g=2x1",
      "  bin/sandbox --data-dir /tmp/odc-try --api-port 0",
      "  bin/sandbox --kubeconfig ~/.kube/config --context kind-odc",
      "  bin/sandbox --database-url jdbc:postgresql://db:5432/odc?user=odc"
    })
public final class Sandbox implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Sandbox.class);

  static final String READY_LINE = "ODC sandbox is ready";
  static final String NAMESPACE = "odc-reservations";

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Where the sandbox keeps its database, logs and generated configuration"
              + " (default: $XDG_DATA_HOME/odc-sandbox, else ~/.local/share/odc-sandbox).")
  Path dataDir;

  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description =
          "Use this PostgreSQL server instead of the embedded one"
              + " (jdbc:postgresql://host:port/db?user=..&password=..).")
  String databaseUrl;

  @Option(
      names = "--issuer",
      paramLabel = "URL",
      description = "Use this OIDC issuer instead of the sandbox's login page (needs --client-id).")
  String issuer;

  @Option(
      names = "--client-id",
      paramLabel = "ID",
      description = "The public OIDC client the CLI logs in with (with --issuer).")
  String clientId;

  @Option(
      names = "--audience",
      paramLabel = "AUD",
      description = "The token audience the API requires (with --issuer; default: the client id).")
  String audience;

  @Option(
      names = "--admin",
      paramLabel = "NAME",
      description =
          "A username that gets the odc-admins group on the sandbox's login page (repeatable).")
  List<String> admins = List.of();

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Use the real cluster of this kubeconfig instead of the simulated one.")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "The kubeconfig context of the real cluster (default: its current context).")
  String context;

  @Option(
      names = "--nodes",
      paramLabel = "SPEC",
      defaultValue = NodePools.DEFAULT,
      description =
          "GPU nodes of the simulated cluster, TYPE=NODESxGPUS comma-separated"
              + " (default: ${DEFAULT-VALUE}).")
  String nodes;

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      defaultValue = "7080",
      description = "Port of the API on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int apiPort;

  @Option(
      names = "--oidc-port",
      paramLabel = "PORT",
      defaultValue = "7081",
      description = "Port of the login page; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int oidcPort;

  @Option(
      names = "--kube-port",
      paramLabel = "PORT",
      defaultValue = "7082",
      description =
          "Port of the simulated Kubernetes API; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int kubePort;

  @Option(
      names = "--no-cli-config",
      description = "Do not write the sandbox's API URL into the gpu-dev CLI configuration.")
  boolean noCliConfig;

  @Option(
      names = "--exit-when-ready",
      hidden = true,
      description = "Stop again once ready (start-up measurements).")
  boolean exitWhenReady;

  private final Map<String, String> env;
  private final Deque<AutoCloseable> running = new ArrayDeque<>();

  public Sandbox(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    BootstrapLogging.bootstrap(Level.WARN);
    // On a busy machine the simulated API server's event loop is often slow; that is no news
    // for a sandbox user (the services' own configuration says the same once it applies).
    ((ch.qos.logback.classic.Logger)
            LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker"))
        .setLevel(Level.ERROR);
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    CommandLine cmd = new CommandLine(new Sandbox(System.getenv()));
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("sandbox: " + e.getMessage());
          log.debug("Sandbox failed", e);
          return 1;
        });
    System.exit(cmd.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Instant startedAt = startTime();
    Plan plan = plan();
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stopAll();
              stopped.countDown();
            },
            "sandbox-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Ready ready = startAll(plan, out);
      Duration startup = Duration.between(startedAt, Instant.now());
      out.print(Banner.render(plan, ready, startup));
      out.flush();
    } catch (Exception e) {
      stopAll();
      throw e;
    }
    if (exitWhenReady) {
      stopAll();
      return 0;
    }
    stopped.await();
    return 0;
  }

  /** The start of this sandbox: the launcher script's clock when it passes one, else the JVM's. */
  private Instant startTime() {
    String fromScript = env.get("ODC_SANDBOX_STARTED_MS");
    if (fromScript != null && fromScript.matches("[0-9]{10,16}")) {
      return Instant.ofEpochMilli(Long.parseLong(fromScript));
    }
    return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
  }

  /** The checked options. */
  record Plan(
      Path dataDir,
      Optional<DatabaseUrl> database,
      Optional<Issuer> externalIssuer,
      Set<String> admins,
      Optional<Path> kubeconfig,
      Optional<String> context,
      List<NodePool> pools,
      int apiPort,
      int oidcPort,
      int kubePort,
      boolean writeCliConfig) {
    Path runDir() {
      return dataDir.resolve("run");
    }

    Path logDir() {
      return dataDir.resolve("logs");
    }

    boolean simulatedCluster() {
      return kubeconfig.isEmpty();
    }
  }

  Plan plan() {
    CommandLine cl = spec.commandLine();
    for (int port : List.of(apiPort, oidcPort, kubePort)) {
      if (port < 0 || port > 65535) {
        throw new ParameterException(cl, "ports are between 0 and 65535, got " + port);
      }
    }
    Optional<DatabaseUrl> db = Optional.empty();
    if (databaseUrl != null) {
      try {
        db = Optional.of(DatabaseUrl.parse(databaseUrl));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, "--database-url: " + e.getMessage());
      }
    }
    Optional<Issuer> external = Optional.empty();
    if (issuer != null || clientId != null) {
      if (issuer == null || clientId == null) {
        throw new ParameterException(cl, "--issuer and --client-id go together");
      }
      try {
        external =
            Optional.of(
                new Issuer(
                    issuer.replaceAll("/$", ""),
                    clientId,
                    audience == null ? clientId : audience,
                    false));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, "--issuer: " + e.getMessage());
      }
    } else if (audience != null) {
      throw new ParameterException(cl, "--audience needs --issuer and --client-id");
    }
    Set<String> adminSet = new TreeSet<>();
    for (String admin : admins) {
      if (!admin.matches("[A-Za-z0-9._@-]{1,64}")) {
        throw new ParameterException(
            cl, "--admin '" + admin + "' is not a username (letters, digits, . _ @ -)");
      }
      adminSet.add(admin);
    }
    if (!adminSet.isEmpty() && external.isPresent()) {
      throw new ParameterException(
          cl, "--admin applies to the sandbox's login page; with --issuer, admins come from it");
    }
    List<NodePool> pools;
    try {
      pools = NodePools.parse(nodes);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
    }
    if (context != null && kubeconfig == null) {
      throw new ParameterException(cl, "--context needs --kubeconfig");
    }
    if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
      throw new ParameterException(cl, "--kubeconfig " + kubeconfig + " is not a readable file");
    }
    Path dir = dataDir != null ? dataDir : defaultDataDir(env);
    return new Plan(
        dir.toAbsolutePath().normalize(),
        db,
        external,
        Set.copyOf(adminSet),
        Optional.ofNullable(kubeconfig).map(p -> p.toAbsolutePath().normalize()),
        Optional.ofNullable(context),
        pools,
        apiPort,
        oidcPort,
        kubePort,
        !noCliConfig);
  }

  static Path defaultDataDir(Map<String, String> env) {
    String xdg = env.get("XDG_DATA_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "odc-sandbox");
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".local", "share", "odc-sandbox");
  }

  /** What the banner shows once everything answers. */
  record Ready(
      String apiUrl,
      Issuer issuer,
      DatabaseUrl database,
      boolean embeddedDatabase,
      Optional<String> simulatedKubeUrl,
      Optional<CliSetup.Outcome> cli,
      Path logFile) {}

  private Ready startAll(Plan plan, PrintWriter out) throws Exception {
    Files.createDirectories(plan.runDir());
    Files.createDirectories(plan.logDir());
    out.println(
        "Starting the ODC sandbox (data in "
            + plan.dataDir()
            + (plan.simulatedCluster() ? ", simulated cluster" : "")
            + ")...");
    out.flush();
    Steps steps = new Steps(out);
    Path javaHome = Path.of(System.getProperty("java.home"));

    LocalIdentityProvider idp = null;
    Issuer trusted;
    if (plan.externalIssuer().isPresent()) {
      trusted = plan.externalIssuer().get();
    } else {
      // Its own JVM starts first and comes up while this one starts the rest.
      int port = plan.oidcPort() == 0 ? FreePorts.pick() : plan.oidcPort();
      idp =
          LocalIdentityProvider.start(
              javaHome,
              SandboxLayout.oidcLibDir(),
              plan.runDir(),
              port,
              plan.admins(),
              Duration.ofHours(1));
      running.push(idp);
      trusted = idp.issuer();
    }

    // The simulated cluster comes up on its own thread while PostgreSQL starts and migrates.
    CompletableFuture<SimulatedCluster> clusterStart =
        plan.simulatedCluster()
            ? CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return SimulatedCluster.start(
                        plan.kubePort(),
                        plan.pools(),
                        NAMESPACE,
                        plan.runDir().resolve("kubeconfig"));
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })
            : null;
    DatabaseUrl database;
    try {
      if (plan.database().isPresent()) {
        database = plan.database().get();
      } else {
        EmbeddedDatabase embedded = EmbeddedDatabase.start(plan.dataDir().resolve("postgres"), 0);
        running.push(embedded);
        database = embedded.url();
      }
      migrate(database);
      steps.done("PostgreSQL with ODC's schema and queues");
    } finally {
      if (clusterStart != null) {
        // Started or not, the cluster must be in `running` so that a failure stops it too.
        try {
          running.push(clusterStart.join());
        } catch (CompletionException e) {
          if (e.getCause() instanceof UncheckedIOException io) {
            throw io.getCause();
          }
          throw e;
        }
      }
    }

    Optional<String> kubeUrl = Optional.empty();
    Path kubeconfigFile;
    if (clusterStart != null) {
      SimulatedCluster cluster = clusterStart.join();
      kubeUrl = Optional.of(cluster.masterUrl());
      kubeconfigFile = cluster.kubeconfig();
      steps.done("simulated Kubernetes cluster (" + NodePools.describe(plan.pools()) + ")");
    } else {
      kubeconfigFile = plan.kubeconfig().get();
      // cronjobs builds its client from fabric8's defaults, which read this property.
      System.setProperty("kubeconfig", kubeconfigFile.toString());
    }

    // the simulated pods' sshd: real servers on loopback, reached through the API's tunnel
    SshServers sshServers = null;
    if (clusterStart != null && SshServers.available()) {
      sshServers =
          new SshServers(
              clusterStart.join().client(),
              NAMESPACE,
              Database.jdbi(database.dataSource()),
              plan.dataDir().resolve("servers"));
      sshServers.start();
      running.push(sshServers);
    }

    int apiPortNow = plan.apiPort() == 0 ? FreePorts.pick() : plan.apiPort();
    String apiUrl = "http://127.0.0.1:" + apiPortNow;
    Services.Settings settings =
        new Services.Settings(
            database,
            trusted,
            apiPortNow,
            kubeconfigFile,
            plan.context(),
            kubeUrl,
            NAMESPACE,
            plan.simulatedCluster(),
            plan.pools(),
            plan.runDir(),
            plan.logDir().resolve("odc.log"));
    for (InJvmService service : Services.start(settings, sshServers)) {
      running.push(service);
    }
    Services.awaitReady(settings, apiUrl, Duration.ofSeconds(60));
    steps.done("api-service, reservation-processor and cronjobs");
    if (idp != null) {
      idp.awaitReady(Duration.ofSeconds(60));
      steps.done("login page (simulated identity provider)");
    }
    if (plan.simulatedCluster()) {
      if (Services.awaitAvailability(settings, Duration.ofSeconds(30))) {
        steps.done("first GPU availability count");
      } else {
        out.println("  (the first GPU availability count is late; `gpu-dev avail` shows it soon)");
      }
    }

    Optional<CliSetup.Outcome> cli =
        plan.writeCliConfig()
            ? Optional.of(CliSetup.configure(env, apiUrl, sshServers != null))
            : Optional.empty();
    return new Ready(
        apiUrl, trusted, database, plan.database().isEmpty(), kubeUrl, cli, settings.logFile());
  }

  /** Prints one line per finished start-up step with the time it took. */
  private static final class Steps {
    private final PrintWriter out;
    private Instant last = Instant.now();

    Steps(PrintWriter out) {
      this.out = out;
    }

    void done(String what) {
      Instant now = Instant.now();
      out.printf(
          Locale.ROOT,
          "  ready: %s (%.1f s)%n",
          what,
          Duration.between(last, now).toMillis() / 1000.0);
      out.flush();
      last = now;
    }
  }

  private static void migrate(DatabaseUrl url) {
    Database.migrate(url.dataSource());
  }

  /** Stops what runs, newest first: services before the cluster and database they use. */
  private synchronized void stopAll() {
    while (!running.isEmpty()) {
      AutoCloseable part = running.pop();
      try {
        part.close();
      } catch (Exception e) {
        log.warn("Stopping {} failed", part.getClass().getSimpleName(), e);
      }
    }
  }
}
