package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import dev.odc.api.ApiApplication;
import dev.odc.api.ssh.TunnelTargets;
import dev.odc.cronjobs.CronjobsApplication;
import dev.odc.processor.ProcessorApplication;
import dev.odc.testing.sim.NodePool;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.ds.PGSimpleDataSource;

/** ODC's three services, in the launcher's JVM, with the sandbox's configuration. */
final class Services {
  private Services() {}

  /** What the services' configurations are made of. */
  record Settings(
      DatabaseUrl database,
      Issuer issuer,
      int apiPort,
      Path kubeconfig,
      Optional<String> context,
      Optional<String> masterUrl,
      String namespace,
      boolean simulatedCluster,
      List<NodePool> pools,
      Path runDir,
      Path logFile) {
    Settings {
      requireNonNull(database, "database is null");
      requireNonNull(issuer, "issuer is null");
      requireNonNull(kubeconfig, "kubeconfig is null");
      requireNonNull(context, "context is null");
      requireNonNull(masterUrl, "masterUrl is null");
      pools = List.copyOf(pools);
    }
  }

  /**
   * Starts the api-service, reservation-processor and cronjobs; if one fails, those already started
   * are stopped again.
   *
   * @param tunnelTargets where the api-service's SSH tunnel connects; null for the pod addresses
   *     the processor records
   */
  static List<InJvmService> start(Settings s, TunnelTargets tunnelTargets)
      throws IOException, ServiceStartException {
    Path apiConfig = ServiceConfigs.write(s.runDir(), "api-service.yml", ServiceConfigs.api(s));
    Path processorConfig =
        ServiceConfigs.write(s.runDir(), "reservation-processor.yml", ServiceConfigs.processor(s));
    Path cronjobsConfig =
        ServiceConfigs.write(s.runDir(), "cronjobs.yml", ServiceConfigs.cronjobs(s));
    // The three start side by side: most of their start-up is class loading and JIT.
    List<Callable<InJvmService>> starts =
        List.of(
            () ->
                InJvmService.start(
                    "api-service", new ApiApplication(Clock.systemUTC(), tunnelTargets), apiConfig),
            () ->
                InJvmService.start(
                    "reservation-processor", new ProcessorApplication(), processorConfig),
            () -> InJvmService.start("cronjobs", new CronjobsApplication(), cronjobsConfig));
    List<InJvmService> started = new ArrayList<>();
    ServiceStartException failure = null;
    ExecutorService pool = Executors.newFixedThreadPool(starts.size());
    try {
      List<Future<InJvmService>> futures = new ArrayList<>();
      for (Callable<InJvmService> start : starts) {
        futures.add(pool.submit(start));
      }
      for (Future<InJvmService> future : futures) {
        try {
          started.add(future.get());
        } catch (ExecutionException e) {
          ServiceStartException f =
              e.getCause() instanceof ServiceStartException sse
                  ? sse
                  : new ServiceStartException("a service did not start: " + e.getCause(), e);
          if (failure == null) {
            failure = f;
          } else {
            failure.addSuppressed(f);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = new ServiceStartException("interrupted while starting the services", e);
        }
      }
    } finally {
      pool.shutdown();
    }
    if (failure != null) {
      for (InJvmService service : started.reversed()) {
        service.close();
      }
      throw failure;
    }
    return started;
  }

  /**
   * In the simulated cluster, waits until the availability job has counted the GPUs once, so that
   * the first {@code gpu-dev avail} shows them; false if that did not happen in time.
   */
  static boolean awaitAvailability(Settings s, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    PGSimpleDataSource ds = s.database().dataSource();
    while (Instant.now().isBefore(deadline)) {
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT count(*) FILTER (WHERE total_gpus > 0), count(*) FROM gpu_types")) {
        if (rs.next() && rs.getInt(2) > 0 && rs.getInt(1) == rs.getInt(2)) {
          return true;
        }
      } catch (SQLException e) {
        // The tables are there (migrated); a transient error just means: ask again.
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    return false;
  }

  /** Waits until the API answers its public login configuration. */
  static void awaitReady(Settings s, String apiUrl, Duration timeout) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(apiUrl + "/v1/auth/config"))
              .timeout(Duration.ofSeconds(2))
              .GET()
              .build();
      while (true) {
        try {
          if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // not up yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the API", e);
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IOException(
              "the API did not answer at "
                  + apiUrl
                  + " within "
                  + timeout
                  + "; see "
                  + s.logFile());
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }
}
