package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.core.Json;
import dev.odc.core.ReservationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end in a real headless Chromium: {@code gpu-dev login} launches the browser on the
 * provider's authorization URL, Chromium follows mock-oauth2-server's redirect to the CLI's
 * loopback port, and the cached token then serves {@code reserve} and {@code cancel}.
 */
class ChromiumLoginIT {
  @TempDir Path home;
  @TempDir Path browserDir;
  private OidcProvider idp;
  private FakeApi api;
  private Path pidFile;

  @BeforeEach
  void start() throws IOException {
    String chromium = System.getProperty("odc.chromium", "/usr/bin/chromium");
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of(chromium)),
        "Chromium not found at "
            + chromium
            + " (system property odc.chromium); bin/test installs it with apt-get");
    idp = new OidcProvider();
    api = new FakeApi();
    api.oidc(idp.issuer(), "gpu-dev", idp::verify);
    // The browser command gpu-dev runs: a wrapper that records Chromium's pid so the test can
    // stop exactly the browser it started.
    pidFile = browserDir.resolve("chromium.pid");
    Path wrapper = browserDir.resolve("browser.sh");
    Files.writeString(
        wrapper,
        "#!/bin/sh\necho $$ > '"
            + pidFile
            + "'\nexec '"
            + chromium
            + "' --headless --no-sandbox --disable-gpu"
            + " --disable-background-networking --disable-component-update --no-first-run --disable-sync"
            + " --user-data-dir='"
            + browserDir.resolve("profile")
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterEach
  void stop() throws IOException {
    if (pidFile != null && Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      ProcessHandle.of(pid)
          .ifPresent(
              p -> {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> p).join();
              });
    }
    if (api != null) {
      api.close();
    }
    if (idp != null) {
      idp.close();
    }
  }

  @Test
  void loginInChromiumThenReserveAndCancelWithTheCachedToken() throws IOException {
    CliRunner cli =
        new CliRunner(home)
            .env("GPU_DEV_API_URL", api.url())
            .env("BROWSER", browserDir.resolve("browser.sh").toString());

    CliRunner.Result login = cli.run("login", "--timeout", "60");
    assertThat(login.exitCode()).as(login.toString()).isZero();
    assertThat(login.err()).contains("Opened your browser");
    assertThat(pidFile).exists();
    assertThat(cli.configDir().resolve(ConfigStore.TOKENS)).exists();

    // From here on no browser may be needed.
    cli.env("BROWSER", "/bin/false");
    CliRunner.Result reserve =
        cli.run("reserve", "-g", "1", "-t", "h100", "-H", "1", "--no-wait", "-o", "json");
    assertThat(reserve.exitCode()).as(reserve.toString()).isZero();
    JsonNode r = Json.newMapper().readTree(reserve.out());
    UUID id = UUID.fromString(r.path("id").asText());
    assertThat(api.reservation(id)).isPresent();

    CliRunner.Result cancel = cli.run("cancel", id.toString().substring(0, 8));
    assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
    assertThat(api.reservation(id).orElseThrow().status()).isEqualTo(ReservationStatus.CANCELLED);
    assertThat(api.authorizations()).allMatch(a -> a.startsWith("Bearer ey"));
  }
}
