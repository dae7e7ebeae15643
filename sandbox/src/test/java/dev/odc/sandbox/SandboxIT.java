package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.testing.ssh.LoopbackSshd;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, as a user runs it: {@code bin/sandbox} in a subprocess, then every
 * quick-start step with {@code bin/gpu-dev} in subprocesses with their own {@code XDG_CONFIG_HOME},
 * logging in through the sandbox's login page in a real headless Chromium.
 */
class SandboxIT {
  private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+) s");
  private static final Pattern RESERVATION_ID = Pattern.compile("Reservation ([0-9a-f]{8})");

  @TempDir Path tmp;

  private final Path repo =
      Path.of(System.getProperty("odc.repo", "..")).toAbsolutePath().normalize();
  private List<String> sandboxArgs;
  private Process sandbox;
  private Path sandboxOut;
  private Path configHome;
  private Path chromiumPid;
  private int debugPort;

  @BeforeEach
  void startSandbox() throws Exception {
    String chromium = System.getProperty("odc.chromium", "/usr/bin/chromium");
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of(chromium)),
        "Chromium not found at "
            + chromium
            + " (system property odc.chromium); install it with apt-get install -y chromium");
    configHome = Files.createDirectories(tmp.resolve("config"));
    debugPort = FreePorts.pick();
    chromiumPid = tmp.resolve("chromium.pid");
    Path browser = tmp.resolve("browser.sh");
    // The browser gpu-dev opens: headless Chromium with a DevTools port for this test to drive.
    Files.writeString(
        browser,
        "#!/bin/sh\necho $$ > '"
            + chromiumPid
            + "'\nexec '"
            + chromium
            + "' --headless --no-sandbox --disable-gpu --disable-background-networking"
            + " --disable-component-update --no-first-run --disable-sync"
            + " --remote-debugging-port="
            + debugPort
            + " --user-data-dir='"
            + tmp.resolve("chromium-profile")
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(browser, PosixFilePermissions.fromString("rwx------"));

    sandboxArgs =
        List.of(
            repo.resolve("bin/sandbox").toString(),
            "--data-dir",
            tmp.resolve("data").toString(),
            "--api-port",
            Integer.toString(FreePorts.pick()),
            "--oidc-port",
            Integer.toString(FreePorts.pick()),
            "--kube-port",
            Integer.toString(FreePorts.pick()),
            "--admin",
            "root-admin");
    sandbox = launchSandbox("sandbox.out");
  }

  private Process launchSandbox(String outputName) throws IOException {
    sandboxOut = tmp.resolve(outputName);
    ProcessBuilder pb = new ProcessBuilder(sandboxArgs);
    pb.environment().put("XDG_CONFIG_HOME", configHome.toString());
    // Maven has just built what this test runs; bin/sandbox must not start a build of its own.
    pb.environment().put("ODC_SANDBOX_SKIP_BUILD", "1");
    pb.redirectErrorStream(true).redirectOutput(sandboxOut.toFile());
    return pb.start();
  }

  private void awaitReady() {
    await("the sandbox's ready banner")
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              assertThat(sandbox.isAlive()).as("sandbox running; output:\n%s", output()).isTrue();
              return output().contains(Sandbox.READY_LINE);
            });
  }

  @AfterEach
  void stop() throws Exception {
    if (sandboxOut != null && Files.exists(sandboxOut)) {
      // Kept for whoever reads the build: the banner with its start-up figure.
      Files.copy(
          sandboxOut,
          repo.resolve("sandbox/target/sandbox-it-output.txt"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    if (Files.exists(chromiumPid)) {
      ProcessHandle.of(Long.parseLong(Files.readString(chromiumPid).strip()))
          .ifPresent(
              p -> {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
              });
    }
    if (sandbox != null && sandbox.isAlive()) {
      sandbox.destroy();
      if (!sandbox.waitFor(60, TimeUnit.SECONDS)) {
        sandbox.descendants().forEach(ProcessHandle::destroyForcibly);
        sandbox.destroyForcibly();
      }
    }
  }

  @Test
  void quickStartEndToEnd() throws Exception {
    awaitReady();
    String banner = output();
    Matcher started = STARTED.matcher(banner);
    assertThat(started.find()).as(banner).isTrue();
    double startupSeconds = Double.parseDouble(started.group(1));
    Files.writeString(
        repo.resolve("sandbox/target/sandbox-startup-seconds.txt"), started.group(1) + "\n");
    assertThat(startupSeconds).as("start-up to ready, seconds").isLessThan(120);
    assertThat(banner)
        .contains("SIMULATED cluster")
        .contains("2 × 8 h100, 4 × 4 l4")
        .contains("bin/gpu-dev login")
        .containsPattern("Console +http://127\\.0\\.0\\.1:[0-9]+/")
        .contains("bin/gpu-dev reserve -t h100 -g 2 -H 1")
        .contains("bin/gpu-dev avail")
        .contains("CLI          configured");
    String config =
        Files.readString(configHome.resolve("gpu-dev/config.json"), StandardCharsets.UTF_8);
    assertThat(config).contains("\"api-url\"").contains("http://127.0.0.1:");

    // 1. bin/gpu-dev login: the browser opens the login page; a user types a name and signs in.
    Running login =
        gpuDevProcess(List.of("login", "--timeout", "120"), Map.of("BROWSER", browserScript()));
    try (HttpClient http = HttpClient.newHttpClient()) {
      String issuer = issuerFrom(banner);
      DevToolsPage page =
          await("the login page in Chromium")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> DevToolsPage.find(http, debugPort, issuer), Optional::isPresent)
              .orElseThrow();
      try (page) {
        await("the login form")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  JsonNode ready =
                      page.evaluate(
                          "document.readyState === 'complete'"
                              + " && !!document.getElementById('username')"
                              + " && document.body.innerText.includes('simulated')");
                  return ready.asBoolean(false);
                });
        page.fire(
            "document.getElementById('username').value = 'alice';"
                + " document.getElementById('sign-in').click();");
      }
    }
    assertThat(login.process().waitFor(120, TimeUnit.SECONDS)).as("login finished").isTrue();
    String loginOut = login.text();
    assertThat(login.process().exitValue()).as(loginOut).isZero();
    assertThat(loginOut).contains("Logged in as alice");

    // 2. bin/gpu-dev reserve -t h100 -g 2 -H 1
    Result reserve = gpuDev("reserve", "-t", "h100", "-g", "2", "-H", "1");
    assertThat(reserve.exit()).as(reserve.text()).isZero();
    Matcher idMatch = RESERVATION_ID.matcher(reserve.text());
    assertThat(idMatch.find()).as(reserve.text()).isTrue();
    String id = idMatch.group(1);
    assertThat(reserve.text()).contains("2 x h100");

    // The simulated cluster schedules the pod and marks it Ready; the processor makes it ACTIVE.
    await("reservation " + id + " ACTIVE")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> gpuDev("show", id).text(), text -> text.contains("ACTIVE"));

    // 3. bin/gpu-dev list
    Result list = gpuDev("list");
    assertThat(list.exit()).as(list.text()).isZero();
    assertThat(list.text()).contains(id).contains("h100").contains("ACTIVE");

    // 4. bin/gpu-dev avail: two of the sixteen h100 GPUs are in use now.
    await("availability counts the reservation")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> gpuDev("avail").text(), text -> text.contains("h100") && text.contains("14"));
    Result avail = gpuDev("avail");
    assertThat(avail.exit()).as(avail.text()).isZero();
    assertThat(avail.text()).contains("h100").contains("l4");

    // 5. bin/gpu-dev show ID
    Result show = gpuDev("show", id);
    assertThat(show.exit()).as(show.text()).isZero();
    assertThat(show.text()).contains(id).contains("ACTIVE").contains("h100");

    // 5b. bin/gpu-dev ssh-key add, then bin/gpu-dev ssh ID: a real shell (a real sshd on loopback
    // stands in for the pod, through the API's tunnel), in the reservation's own home folder
    if (LoopbackSshd.available()) {
      Path key = LoopbackSshd.userKey(tmp.resolve("keys"), "walker", "ed25519");
      Result added = gpuDev("ssh-key", "add", key + ".pub");
      assertThat(added.exit()).as(added.text()).isZero();
      List<String> ssh =
          List.of(
              "ssh",
              id,
              "-i",
              key.toString(),
              "--ssh-option",
              "StrictHostKeyChecking=accept-new",
              "--ssh-option",
              "UserKnownHostsFile=" + tmp.resolve("known_hosts"),
              "--ssh-option",
              "BatchMode=yes",
              "--",
              "echo",
              "shell-in",
              "$PWD");
      // the server's sshd starts once its pod runs, and takes the new key within seconds
      await("a shell on " + id)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () -> gpuDev(ssh.toArray(String[]::new)).text(), text -> text.contains("shell-in"));
      Result shell = gpuDev(ssh.toArray(String[]::new));
      assertThat(shell.exit()).as(shell.text()).isZero();
      assertThat(shell.text()).containsPattern("shell-in /\\S*/servers/" + "[0-9a-f-]{36}/home");
    }

    // 6. bin/gpu-dev extend ID -H 1
    Result extend = gpuDev("extend", id, "-H", "1");
    assertThat(extend.exit()).as(extend.text()).isZero();
    assertThat(extend.text()).contains("Extended " + id + " to 2");

    // 7. bin/gpu-dev cancel ID
    Result cancel = gpuDev("cancel", id);
    assertThat(cancel.exit()).as(cancel.text()).isZero();
    assertThat(cancel.text()).contains("Cancelled " + id);
    await("reservation " + id + " CANCELLED")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> gpuDev("show", id).text(), text -> text.contains("CANCELLED"));

    // 8. bin/gpu-dev disk list
    Result disks = gpuDev("disk", "list");
    assertThat(disks.exit()).as(disks.text()).isZero();

    // 9. bin/gpu-dev audit
    Result audit = gpuDev("audit");
    assertThat(audit.exit()).as(audit.text()).isZero();
    assertThat(audit.text())
        .contains("reservation.create")
        .contains("reservation.extend")
        .contains("reservation.cancel")
        .contains("alice");

    // Ctrl-C: everything stops, the data stays.
    sandbox.destroy();
    assertThat(sandbox.waitFor(60, TimeUnit.SECONDS)).as("sandbox stopped on SIGTERM").isTrue();
    assertThat(tmp.resolve("data/postgres/PG_VERSION")).exists();
    assertThat(sandbox.descendants().filter(ProcessHandle::isAlive)).isEmpty();

    // A restart keeps reservations, the audit log and the login (the signing key is kept).
    sandbox = launchSandbox("sandbox-restart.out");
    awaitReady();
    Matcher restarted = STARTED.matcher(output());
    assertThat(restarted.find()).as(output()).isTrue();
    Files.writeString(
        repo.resolve("sandbox/target/sandbox-restart-seconds.txt"), restarted.group(1) + "\n");
    Result kept = gpuDev("show", id);
    assertThat(kept.exit()).as(kept.text()).isZero();
    assertThat(kept.text()).contains("CANCELLED");
    Result keptAudit = gpuDev("audit");
    assertThat(keptAudit.text()).contains("reservation.create").contains("reservation.cancel");
  }

  private String output() throws IOException {
    return Files.exists(sandboxOut) ? Files.readString(sandboxOut, StandardCharsets.UTF_8) : "";
  }

  private static String issuerFrom(String banner) {
    Matcher m = Pattern.compile("Login +(http://\\S+)").matcher(banner);
    assertThat(m.find()).as(banner).isTrue();
    return m.group(1);
  }

  private String browserScript() {
    return tmp.resolve("browser.sh").toString();
  }

  record Result(int exit, String text) {}

  /** A gpu-dev process and the file that gets its stdout and stderr. */
  record Running(Process process, Path out) {
    String text() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }
  }

  private Result gpuDev(String... args) throws Exception {
    Running r = gpuDevProcess(List.of(args), Map.of("BROWSER", "/bin/false"));
    if (!r.process().waitFor(60, TimeUnit.SECONDS)) {
      r.process().destroyForcibly();
      throw new AssertionError("gpu-dev " + String.join(" ", args) + " hung");
    }
    return new Result(r.process().exitValue(), r.text());
  }

  private Running gpuDevProcess(List<String> args, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>();
    Path script = repo.resolve("bin/gpu-dev");
    if (Files.isExecutable(script)) {
      command.add(script.toString());
    } else {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-jar");
      command.add(repo.resolve("cli/target/gpu-dev.jar").toString());
    }
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("XDG_CONFIG_HOME", configHome.toString());
    pb.environment().remove("GPU_DEV_API_URL");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Path out = tmp.resolve("gpu-dev-" + System.nanoTime() + ".out");
    pb.redirectOutput(out.toFile());
    return new Running(pb.start(), out);
  }
}
