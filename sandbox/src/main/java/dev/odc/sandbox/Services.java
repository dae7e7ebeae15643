package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import dev.odc.api.ApiApplication;
import dev.odc.providers.kubernetes.sim.NodePool;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
      pools = List.copyOf(pools);
    }
  }

  /**
   * Starts the api-service, reservation-processor and cronjobs; if one fails, those already
   * started are stopped again.
   */
  static List<InJvmService> start(Settings s) throws IOException, ServiceStartException {
    List<InJvmService> started = new ArrayList<>();
    try {
      Path apiConfig = ServiceConfigs.write(s.runDir(), "api-service.yml", ServiceConfigs.api(s));
      started.add(InJvmService.start("api-service", new ApiApplication(), apiConfig));
      return started;
    } catch (IOException | ServiceStartException | RuntimeException e) {
      for (InJvmService service : started.reversed()) {
        service.close();
      }
      throw e;
    }
  }

  /** Waits until the API answers its public login configuration. */
  static void awaitReady(Settings s, String apiUrl, Duration timeout) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    try (HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
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
              "the API did not answer at " + apiUrl + " within " + timeout + "; see " + s.logFile());
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }
}
