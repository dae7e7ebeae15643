package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device authorization grant (RFC 8628). mock-oauth2-server has no device endpoint, so this
 * test serves an honest minimal one: discovery, device authorization and the token endpoint with
 * {@code authorization_pending}, {@code slow_down} and {@code access_denied} answers.
 */
class DeviceFlowIT {
  private static final String ACCESS = "device-access-token";

  @TempDir Path home;
  private HttpServer idp;
  private FakeApi api;
  private CliRunner cli;
  private volatile String verdict = "pending";
  private final List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();
  private final List<Map<String, String>> deviceRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String issuer = "http://127.0.0.1:" + idp.getAddress().getPort();
    idp.createContext(
        "/.well-known/openid-configuration",
        ex ->
            json(
                ex,
                200,
                "{\"issuer\":\""
                    + issuer
                    + "\",\"token_endpoint\":\""
                    + issuer
                    + "/token\",\"device_authorization_endpoint\":\""
                    + issuer
                    + "/device\"}"));
    idp.createContext(
        "/device",
        ex -> {
          deviceRequests.add(form(ex));
          json(
              ex,
              200,
              "{\"device_code\":\"dev-123\",\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\""
                  + issuer
                  + "/activate\",\"verification_uri_complete\":\""
                  + issuer
                  + "/activate?user_code=WDJB-MJHT\",\"expires_in\":60,\"interval\":1}");
        });
    idp.createContext(
        "/token",
        ex -> {
          Map<String, String> f = form(ex);
          tokenRequests.add(f);
          if (!"dev-123".equals(f.get("device_code"))) {
            json(ex, 400, "{\"error\":\"invalid_grant\"}");
          } else if (verdict.equals("approved")) {
            json(
                ex,
                200,
                "{\"access_token\":\""
                    + ACCESS
                    + "\",\"refresh_token\":\"r1\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
          } else if (verdict.equals("slow") && tokenRequests.size() == 1) {
            json(ex, 400, "{\"error\":\"slow_down\"}");
          } else {
            json(
                ex,
                400,
                "{\"error\":\""
                    + (verdict.equals("denied") ? "access_denied" : "authorization_pending")
                    + "\"}");
          }
        });
    idp.start();
    api = new FakeApi();
    api.oidc(issuer, "gpu-dev", t -> t.equals(ACCESS) ? Optional.of("bob") : Optional.empty());
    cli = new CliRunner(home).env("GPU_DEV_API_URL", api.url()).env("BROWSER", "/bin/false");
  }

  @AfterEach
  void stop() {
    api.close();
    idp.stop(0);
  }

  @Test
  void printsTheCodePollsUntilApprovedAndTheTokenWorks() throws Exception {
    CliRunner.Running run = cli.start("login", "--device");
    await().atMost(Duration.ofSeconds(10)).until(() -> run.err().contains("WDJB-MJHT"));
    assertThat(run.err())
        .contains("/activate and enter the code: WDJB-MJHT")
        .contains("activate?user_code=WDJB-MJHT");
    await().atMost(Duration.ofSeconds(10)).until(() -> tokenRequests.size() >= 2);
    verdict = "approved";
    CliRunner.Result r = run.result().get(20, TimeUnit.SECONDS);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(tokenRequests.get(0))
        .containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
        .containsEntry("client_id", "gpu-dev");
    assertThat(deviceRequests.get(0))
        .containsEntry("scope", "openid profile offline_access")
        .containsEntry("audience", "odc");

    CliRunner.Result who = cli.run("whoami");
    assertThat(who.exitCode()).as(who.toString()).isZero();
    assertThat(who.out()).contains("user:   bob");
  }

  @Test
  void slowDownIsHonouredAndDenialIsExitCode3() throws Exception {
    verdict = "slow";
    CliRunner.Running run = cli.start("login", "--device");
    await().atMost(Duration.ofSeconds(15)).until(() -> tokenRequests.size() >= 2);
    verdict = "denied";
    CliRunner.Result r = run.result().get(30, TimeUnit.SECONDS);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
    assertThat(r.err()).contains("gpu-dev: login was denied");
    assertThat(cli.configDir().resolve(ConfigStore.TOKENS)).doesNotExist();
  }

  private static Map<String, String> form(HttpExchange ex) throws IOException {
    return Oidc.parseQuery(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
