package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command against a stateful stand-in of the API: output formats and exit codes. */
class CommandsTest {
  private static final ObjectMapper JSON = Json.newMapper();

  @TempDir Path home;
  private FakeApi api;
  private CliRunner cli;

  @BeforeEach
  void start() throws IOException {
    api = new FakeApi();
    cli =
        new CliRunner(home)
            .env("GPU_DEV_API_URL", api.url())
            .env("GPU_DEV_API_KEY", FakeApi.STATIC_TOKEN);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private JsonNode json(CliRunner.Result r) throws IOException {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void reserveListShowExtendCancel() throws IOException {
    JsonNode created =
        json(
            cli.run(
                "reserve",
                "-g",
                "2",
                "-t",
                "h100",
                "-H",
                "4",
                "-n",
                "train",
                "--label",
                "team=vision",
                "--disk",
                "none",
                "--no-wait",
                "-o",
                "json"));
    assertThat(created.path("status").asText()).isEqualTo("PENDING");
    assertThat(created.path("gpuCount").asInt()).isEqualTo(2);
    assertThat(created.path("labels").path("team").asText()).isEqualTo("vision");
    String id = created.path("id").asText();
    String prefix = id.substring(0, 8);

    CliRunner.Result table = cli.run("list");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out())
        .startsWith("ID")
        .contains(prefix)
        .contains("train")
        .contains("PENDING")
        .contains("h100");

    CliRunner.Result listJson = cli.run("list", "-o", "json");
    JsonNode list = json(listJson);
    // -o json passes the API's items through; it prints what binding them to records did.
    java.util.List<Reservation> typed =
        JSON.convertValue(
            list,
            JSON.getTypeFactory().constructCollectionType(java.util.List.class, Reservation.class));
    assertThat(listJson.out())
        .isEqualTo(
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(typed)
                + System.lineSeparator());
    assertThat(list.isArray()).isTrue();
    assertThat(list.get(0).path("id").asText()).isEqualTo(id);

    api.advance(UUID.fromString(id), ReservationStatus.PREPARING, "pulling image", null);
    api.advance(UUID.fromString(id), ReservationStatus.ACTIVE, null, null);
    CliRunner.Result show = cli.run("show", prefix);
    assertThat(show.exitCode()).as(show.toString()).isZero();
    assertThat(show.out())
        .contains("status:    ACTIVE")
        .contains("ssh -p 30022 dev@ssh.odc.test")
        .contains("history:")
        .contains("PREPARING")
        .contains("pulling image");

    CliRunner.Result sshConfig = cli.run("ssh-config", prefix, "--print");
    assertThat(sshConfig.exitCode()).as(sshConfig.toString()).isZero();
    assertThat(sshConfig.out())
        .contains("Host odc-train odc-" + prefix)
        .contains("HostKeyAlias odc-" + prefix)
        .containsPattern("ProxyCommand .*dev\\.odc\\.cli\\.Main tunnel " + id);

    CliRunner.Result extended = cli.run("extend", prefix, "-H", "2");
    assertThat(extended.exitCode()).as(extended.toString()).isZero();
    assertThat(extended.out()).contains("to 6 h");
    assertThat(api.reservation(UUID.fromString(id)).orElseThrow().hours()).isEqualTo(6.0);

    CliRunner.Result cancelled = cli.run("cancel", prefix);
    assertThat(cancelled.exitCode()).as(cancelled.toString()).isZero();
    assertThat(cancelled.out()).contains("Cancelled " + prefix).contains("CANCELLED");
    assertThat(api.reservation(UUID.fromString(id)).orElseThrow().status())
        .isEqualTo(ReservationStatus.CANCELLED);

    assertThat(cli.run("list").out()).contains("No reservations.");
    assertThat(cli.run("list", "--status", "CANCELLED").out()).contains(prefix);
  }

  @Test
  void cancelAllCancelsOnlyLiveOnes() throws IOException {
    json(cli.run("reserve", "-g", "1", "-t", "h100", "--no-wait", "-o", "json"));
    json(cli.run("reserve", "-g", "1", "-t", "a100", "--no-wait", "-o", "json"));
    CliRunner.Result r = cli.run("cancel", "--all");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().lines().filter(l -> l.startsWith("Cancelled"))).hasSize(2);
    assertThat(api.reservations()).allMatch(x -> x.status() == ReservationStatus.CANCELLED);
    assertThat(cli.run("cancel", "--all").out()).contains("Nothing to cancel.");
  }

  @Test
  void reserveWaitFollowsTheReservationToActiveAndPrintsSsh() throws Exception {
    CompletableFuture<CliRunner.Result> run =
        CompletableFuture.supplyAsync(
            () ->
                cli.run(
                    "reserve",
                    "-g",
                    "1",
                    "-t",
                    "h100",
                    "-H",
                    "1",
                    "--wait",
                    "--poll-interval",
                    "0.1"));
    org.awaitility.Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> !api.reservations().isEmpty());
    UUID id = api.reservations().get(0).id();
    api.advance(id, ReservationStatus.QUEUED, null, 3);
    org.awaitility.Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> api.authorizations().size() >= 4);
    api.advance(id, ReservationStatus.PREPARING, "creating pod", null);
    org.awaitility.Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> api.authorizations().size() >= 7);
    api.advance(id, ReservationStatus.ACTIVE, null, null);
    CliRunner.Result r = run.get(20, TimeUnit.SECONDS);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().strip()).isEqualTo("ssh -p 30022 dev@ssh.odc.test");
    assertThat(r.err())
        .contains("Queued, position 3, ETA")
        .contains("Preparing: creating pod")
        .contains("Ready.");
  }

  @Test
  void reserveWaitReportsAFailedReservation() throws Exception {
    CompletableFuture<CliRunner.Result> run =
        CompletableFuture.supplyAsync(
            () -> cli.run("reserve", "-g", "1", "-t", "h100", "--wait", "--poll-interval", "0.1"));
    org.awaitility.Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> !api.reservations().isEmpty());
    api.advance(api.reservations().get(0).id(), ReservationStatus.FAILED, "no capacity", null);
    CliRunner.Result r = run.get(20, TimeUnit.SECONDS);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err()).contains("ended FAILED");
  }

  @Test
  void apiErrorsAreOneLineWithStableExitCodes() {
    CliRunner.Result badType = cli.run("reserve", "-g", "1", "-t", "v100", "--no-wait");
    assertThat(badType.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(badType.err().strip())
        .isEqualTo("gpu-dev: unknown GPU type 'v100'; known: h100, a100");
    assertThat(badType.out()).isEmpty();
    assertThat(api.reservations()).isEmpty();

    CliRunner.Result notFound = cli.run("show", "deadbeef");
    assertThat(notFound.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(notFound.err().strip()).isEqualTo("gpu-dev: reservation deadbeef not found");

    CliRunner.Result badId = cli.run("show", "not-an-id!");
    assertThat(badId.exitCode()).isEqualTo(ExitCodes.USAGE);

    CliRunner.Result badFlag = cli.run("reserve", "--gpus", "many");
    assertThat(badFlag.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badFlag.err()).contains("Invalid value for option '--gpus'");

    CliRunner.Result noType = cli.run("reserve", "-g", "1", "--no-wait");
    assertThat(noType.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noType.err()).contains("give a GPU type with -t");

    CliRunner.Result badKey = cli.env("GPU_DEV_API_KEY", "wrong").run("list");
    assertThat(badKey.exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
    assertThat(badKey.err())
        .startsWith("gpu-dev: missing or invalid credentials")
        .doesNotContain("Exception");

    CliRunner.Result noLogin = cli.env("GPU_DEV_API_KEY", null).run("list");
    assertThat(noLogin.exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
    assertThat(noLogin.err().strip()).isEqualTo("gpu-dev: not logged in: run `gpu-dev login`");
  }

  @Test
  void unreachableApiIsOneLineAndDebugAddsTheStackTrace() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRunner.Result r = cli.run("list", "--api-url", "http://127.0.0.1:" + port);
    assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err().strip())
        .isEqualTo("gpu-dev: cannot reach the API at http://127.0.0.1:" + port);
    CliRunner.Result debug = cli.run("list", "--debug", "--api-url", "http://127.0.0.1:" + port);
    assertThat(debug.err())
        .contains("at dev.odc.cli.ApiClient")
        .contains("> GET http://127.0.0.1:" + port + "/v1/reservations");
  }

  @Test
  void apiKeyFromAFileIsSent(@TempDir Path dir) throws IOException {
    Path key = dir.resolve("key");
    Files.writeString(key, FakeApi.STATIC_TOKEN + "\n");
    CliRunner.Result r =
        cli.env("GPU_DEV_API_KEY", null).run("whoami", "--api-key", key.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("user:   alice");
    assertThat(api.authorizations()).containsOnly("Bearer " + FakeApi.STATIC_TOKEN);
    assertThat(cli.run("whoami", "--api-key", dir.resolve("missing").toString()).exitCode())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void availTableAndJson() throws IOException {
    CliRunner.Result table = cli.run("avail");
    assertThat(table.exitCode()).isZero();
    assertThat(table.out().lines().toList()).hasSize(3);
    assertThat(table.out())
        .contains("TYPE")
        .contains("h100")
        .contains("now")
        .contains("a100")
        .contains("1h30m");
    JsonNode json = json(cli.run("avail", "-o", "json"));
    assertThat(json.path("gpuTypes").get(0).path("maxReservable").asInt()).isEqualTo(8);
    CliRunner.Result watched = cli.run("avail", "--watch", "--interval", "0.05", "--times", "2");
    assertThat(watched.out().lines().filter(l -> l.startsWith("TYPE"))).hasSize(2);
  }

  @Test
  void diskLifecycle() throws IOException {
    assertThat(cli.run("disk", "list").out()).contains("No disks.");
    CliRunner.Result created = cli.run("disk", "create", "data", "--size", "200");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).contains("Created disk data (200 GB)");
    assertThat(cli.run("disk", "create", "data").err()).contains("disk data already exists");
    assertThat(cli.run("disk", "create", "Bad_Name").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run("disk", "rename", "data", "data2").out())
        .contains("Renamed disk data to data2");
    JsonNode list = json(cli.run("disk", "list", "-o", "json"));
    assertThat(list.get(0).path("name").asText()).isEqualTo("data2");
    assertThat(cli.run("disk", "snapshots", "data2").out())
        .contains("snap-data2-1")
        .contains("ready");
    assertThat(cli.run("disk", "snapshots", "nope").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.run("disk", "delete", "data2").out()).contains("Deleted disk data2");
    assertThat(cli.run("disk", "delete", "data2").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void auditInTableJsonAndCsvAndVerify() throws IOException {
    json(cli.run("reserve", "-g", "1", "-t", "h100", "--no-wait", "-o", "json"));
    cli.run("disk", "create", "data");
    CliRunner.Result table = cli.run("audit", "--since", "1h");
    assertThat(table.out())
        .contains("reservation.create")
        .contains("disk.create")
        .contains("alice");
    JsonNode json = json(cli.run("audit", "--action", "disk.create", "-o", "json"));
    assertThat(json).hasSize(1);
    assertThat(json.get(0).path("action").asText()).isEqualTo("disk.create");
    CliRunner.Result csv = cli.run("audit", "--resource", "reservation", "-o", "csv");
    assertThat(csv.out().lines().toList()).hasSize(2);
    assertThat(csv.out())
        .startsWith("ID,AT,ACTOR,ACTION,RESOURCE,OUTCOME")
        .contains(",reservation.create,reservation:");
    assertThat(cli.run("audit", "--since", "yesterday").exitCode()).isEqualTo(ExitCodes.USAGE);
    CliRunner.Result verify = cli.run("audit", "verify");
    assertThat(verify.exitCode()).isZero();
    assertThat(verify.out()).contains("Audit chain intact: 2 rows checked.");
  }

  @Test
  void apiKeys() throws IOException {
    CliRunner.Result created = cli.run("api-key", "create", "ci", "--ttl-hours", "48");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    String secret = created.out().strip();
    assertThat(secret).startsWith("odc_");
    assertThat(created.err()).contains("It is not shown again");
    CliRunner.Result withKey = cli.env("GPU_DEV_API_KEY", secret).run("whoami");
    assertThat(withKey.exitCode()).isZero();
    JsonNode keys = json(cli.run("api-key", "list", "-o", "json"));
    String id = keys.get(0).path("id").asText();
    assertThat(keys.toString()).doesNotContain(secret);
    assertThat(cli.run("api-key", "list").out()).contains("ci").contains(secret.substring(0, 10));
    assertThat(cli.env("GPU_DEV_API_KEY", FakeApi.STATIC_TOKEN).run("api-key", "revoke", id).out())
        .contains("Revoked");
    assertThat(cli.env("GPU_DEV_API_KEY", secret).run("whoami").exitCode())
        .isEqualTo(ExitCodes.AUTH_NEEDED);
  }

  @Test
  void whoamiTableAndJson() throws IOException {
    assertThat(cli.run("whoami").out())
        .contains("user:   alice <alice@example.com>")
        .contains("gpus:   0 in use of 16");
    assertThat(json(cli.run("whoami", "-o", "json")).path("username").asText()).isEqualTo("alice");
  }

  @Test
  void configSetShowAndDefaultsFeedReserve() throws IOException {
    CliRunner.Result set =
        cli.env("GPU_DEV_API_URL", null).run("config", "set", "api-url", api.url());
    assertThat(set.exitCode()).as(set.toString()).isZero();
    cli.run("config", "set", "default.gpu-type", "a100");
    cli.run("config", "set", "default.hours", "3");
    assertThat(cli.run("config", "set", "nonsense", "x").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run("config", "set", "api-url", "ftp://x").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    CliRunner.Result show = cli.run("config", "show");
    assertThat(show.out()).contains(api.url()).contains("default.gpu-type").contains("a100");
    JsonNode r = json(cli.env("GPU_DEV_API_URL", null).run("reserve", "--no-wait", "-o", "json"));
    assertThat(r.path("gpuType").asText()).isEqualTo("a100");
    assertThat(r.path("hours").asDouble()).isEqualTo(3.0);
    assertThat(r.path("gpuCount").asInt()).isEqualTo(1);
  }

  @Test
  void yamlConfigIsRead() throws IOException {
    Files.createDirectories(cli.configDir());
    Files.writeString(
        cli.configDir().resolve("config.yaml"),
        "# mine\napi-url: \"" + api.url() + "\"\ndefault.gpu-type: h100\n");
    Reservation r =
        JSON.treeToValue(
            json(cli.env("GPU_DEV_API_URL", null).run("reserve", "--no-wait", "-o", "json")),
            Reservation.class);
    assertThat(r.gpuType()).isEqualTo("h100");
  }

  @Test
  void noApiUrlIsAUsageError() {
    CliRunner.Result r = cli.env("GPU_DEV_API_URL", null).run("list");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("no API URL");
  }

  @Test
  void helpVersionAndCompletion() {
    CliRunner.Result help = cli.run("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("reserve").contains("Examples:").contains("Exit codes");
    assertThat(cli.run("reserve", "--help").out())
        .contains("--gpu-type")
        .contains("gpu-dev reserve -g 1 -t a100 -H 2");
    assertThat(cli.run("--version").out().strip()).isEqualTo(GpuDev.VERSION);
    CliRunner.Result completion = cli.run("completion");
    assertThat(completion.exitCode()).isZero();
    assertThat(completion.out()).contains("complete -F").contains("gpu-dev").contains("reserve");
    assertThat(cli.run("frobnicate").exitCode()).isEqualTo(ExitCodes.USAGE);
  }
}
