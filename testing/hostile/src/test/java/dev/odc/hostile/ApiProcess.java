package dev.odc.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.testing.ServiceJar;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The api-service's shaded jar as its own process ({@code java -jar api-service.jar server
 * config.yml}) on loopback ports, with a config like the chart's, and a small HTTP client for it.
 */
final class ApiProcess implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final int port;
  final int adminPort;
  private final ServiceJar.Started started;

  /** Requests sent a second time after the connection they were sent on was closed. */
  int retries;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** One answer: status and body. */
  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  ApiProcess(
      Path workDir,
      String databaseUrl,
      String user,
      String password,
      String issuer,
      String stsEndpoint)
      throws IOException, InterruptedException {
    port = ServiceJar.freePort();
    adminPort = ServiceJar.freePort();
    Path config = workDir.resolve("config.yml");
    Files.writeString(config, config(issuer, stsEndpoint));
    Path jar =
        Path.of(System.getProperty("odc.serviceJar", "../../api-service/target/api-service.jar"))
            .toAbsolutePath();
    started =
        new ServiceJar(jar, workDir)
            .start(
                List.of("server", config.toString()),
                ServiceJar.chartEnv(databaseUrl, user, password, "hostile-api"));
    started.awaitHealthy(adminPort, "queue");
  }

  private String config(String issuer, String sts) {
    return """
        server:
          applicationConnectors:
            - type: http
              bindHost: 127.0.0.1
              port: %d
          adminConnectors:
            - type: http
              bindHost: 127.0.0.1
              port: %d
        database:
          driverClass: org.postgresql.Driver
          url: ${ODC_DATABASE_URL}
          user: ${ODC_DATABASE_USER}
          password: ${ODC_DATABASE_PASSWORD}
          maxSize: 8
          minSize: 1
          initialSize: 1
        oidc:
          issuer: "%s"
          audience: odc
          clientId: odc-cli
          adminGroups: [odc-admins]
          clockSkew: 5s
          jwksRefreshMinInterval: 1s
          httpTimeout: 20s
        aws:
          enabled: true
          stsEndpoint: "%s"
          allowedAccountIds: ["123456789012"]
          apiKeyTtl: 1h
        limits:
          maxConcurrentGpus: 100000
          maxHoursPerReservation: 24
          maxTotalHours: 10000000
          maxDisks: 100000
          defaultDiskSizeGb: 50
          maxDiskSizeGb: 500
          maxNodeCount: 4
        gpuTypes:
          - name: h100
            nodeLabelValue: h100
            gpusPerNode: 8
          - name: t4
            nodeLabelValue: t4
            gpusPerNode: 4
        maxRequestSize: 16KiB
        logging:
          level: WARN
        """
        .formatted(port, adminPort, issuer, sts);
  }

  String output() {
    return started.output();
  }

  Answer send(String method, String path, String bearer, String body) {
    return send(method, path, bearer, body, Map.of());
  }

  Answer send(String method, String path, String bearer, String body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        if (e instanceof java.net.http.HttpTimeoutException) {
          throw e; // the server may still be working on it: never send it twice
        }
        // the server closed a pooled connection (it does after refusing a body it did not read)
        // just as the client reused it: the request never arrived, so sending it again is safe;
        // a second write would show up in the row counts the tests compare
        retries++;
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      }
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    started.stop();
  }
}
