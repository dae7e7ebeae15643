package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browser login (authorization code + PKCE on the loopback port) against mock-oauth2-server, with
 * curl as the "browser" that follows the provider's redirect; token files; silent refresh.
 */
class LoginIT {
  private static final ObjectMapper JSON = Json.newMapper();

  @TempDir Path home;
  private OidcProvider idp;
  private FakeApi api;
  private CliRunner cli;

  @BeforeEach
  void start() throws IOException {
    idp = new OidcProvider();
    api = new FakeApi();
    api.oidc(idp.issuer(), "gpu-dev", idp::verify);
    cli =
        new CliRunner(home)
            .env("GPU_DEV_API_URL", api.url())
            .env("BROWSER", "curl -s -L -o /dev/null");
  }

  @AfterEach
  void stop() {
    api.close();
    idp.close();
  }

  private CliRunner.Result login() {
    CliRunner.Result r = cli.run("login", "--timeout", "30");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void browserLoginStoresPrivateTokensThatTheApiAccepts() throws IOException {
    CliRunner.Result r = login();
    assertThat(r.out()).contains("Logged in").contains(api.url());
    assertThat(r.err())
        .contains("Waiting for the login on http://127.0.0.1:")
        .contains("code_challenge_method=S256");

    Path dir = cli.configDir();
    Path tokens = dir.resolve(ConfigStore.TOKENS);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)))
        .isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(ConfigStore.TOKENS);
    }
    Tokens saved = JSON.readValue(tokens.toFile(), Tokens.class);
    assertThat(saved.issuer()).isEqualTo(idp.issuer());
    assertThat(saved.refreshToken()).isNotBlank();
    assertThat(saved.idToken()).isNotBlank();

    CliRunner.Result reserve = cli.run("reserve", "-g", "1", "-t", "h100", "--no-wait", "--debug");
    assertThat(reserve.exitCode()).as(reserve.toString()).isZero();
    assertThat(api.authorizations()).contains("Bearer " + saved.accessToken());
    // Tokens never reach diagnostics, not even with --debug.
    assertThat(reserve.err())
        .doesNotContain(saved.accessToken())
        .doesNotContain(saved.refreshToken());

    CliRunner.Result logout = cli.run("logout");
    assertThat(logout.out()).contains("Logged out.");
    assertThat(tokens).doesNotExist();
    assertThat(cli.run("list").exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
  }

  @Test
  void expiredTokenIsRefreshedWithoutABrowser() throws IOException {
    login();
    ConfigStore store = new ConfigStore(cli.configDir(), JSON);
    Tokens before = store.tokens().orElseThrow();
    store.saveTokens(
        before.withAccess(before.accessToken(), null, null, Instant.now().minusSeconds(5)));

    // No browser can start now: a refresh must do.
    CliRunner.Result r = cli.env("BROWSER", "/bin/false").run("whoami", "--debug");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains("refreshed the access token");
    Tokens after = store.tokens().orElseThrow();
    assertThat(after.accessToken()).isNotEqualTo(before.accessToken());
    assertThat(after.expiresAt()).isAfter(Instant.now().plusSeconds(60));
    assertThat(api.authorizations()).last().isEqualTo("Bearer " + after.accessToken());
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cli.configDir().resolve(ConfigStore.TOKENS))))
        .isEqualTo("rw-------");
  }

  @Test
  void failedRefreshAsksForALogin() throws IOException {
    login();
    ConfigStore store = new ConfigStore(cli.configDir(), JSON);
    Tokens t = store.tokens().orElseThrow();
    store.saveTokens(
        new Tokens(
            t.apiUrl(),
            t.issuer(),
            t.clientId(),
            t.tokenEndpoint() + "/nowhere",
            t.accessToken(),
            t.refreshToken(),
            t.idToken(),
            Instant.now().minusSeconds(5)));
    CliRunner.Result r = cli.run("list");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
    assertThat(r.err()).contains("could not be refreshed").contains("gpu-dev login");
  }

  @Test
  void noBrowserPrintsTheUrlAndATakenPortFallsBack() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRunner.Running run =
          cli.start(
              "login",
              "--no-browser",
              "--port",
              String.valueOf(taken.getLocalPort()),
              "--timeout",
              "30");
      // Play the user: copy the printed URL into a "browser" (curl follows the redirects).
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> run.err().contains("Waiting for the login"));
      String url =
          run.err()
              .lines()
              .map(String::strip)
              .filter(l -> l.startsWith("http"))
              .findFirst()
              .orElseThrow();
      assertThat(url)
          .contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A")
          .doesNotContain("127.0.0.1%3A" + taken.getLocalPort() + "%2F")
          .contains("state=")
          .contains("nonce=");
      Process curl = new ProcessBuilder("curl", "-s", "-L", "-o", "/dev/null", url).start();
      assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
      CliRunner.Result r = run.result().get(30, TimeUnit.SECONDS);
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.err()).contains("Open this URL in a browser");
    }
  }

  @Test
  void aForgedStateIsRefused() throws Exception {
    CliRunner.Running run = cli.start("login", "--no-browser", "--timeout", "30");
    await().atMost(Duration.ofSeconds(20)).until(() -> run.err().contains("Waiting for the login"));
    String callback =
        run.err()
            .lines()
            .filter(l -> l.startsWith("Waiting for the login on "))
            .findFirst()
            .orElseThrow()
            .replace("Waiting for the login on ", "")
            .replace(" ...", "")
            .strip();
    Process curl =
        new ProcessBuilder(
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                callback + "?code=stolen&state=forged")
            .start();
    assertThat(
            new String(
                curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("400");
    CliRunner.Result r = run.result().get(30, TimeUnit.SECONDS);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
    assertThat(r.err()).contains("state mismatch");
    assertThat(cli.configDir().resolve(ConfigStore.TOKENS)).doesNotExist();
  }
}
