package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.api.ApiApplication;
import dev.odc.api.ApiConfiguration;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Json;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.MotoServer;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * gpu-dev against the REAL api-service (Dropwizard, embedded PostgreSQL, mock-oauth2-server):
 * browser login, then each command in table and JSON output with its exit code.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class RealApiIT {
  private static final ObjectMapper JSON = Json.newMapper();
  static final PostgresExtension DB = ApiTestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = ApiTestServers.startedOidc();
  static final MotoServer MOTO = MotoServer.startIfInstalled().orElse(null);

  static final DropwizardAppExtension<ApiConfiguration> APP =
      new DropwizardAppExtension<>(
          ApiApplication.class,
          ResourceHelpers.resourceFilePath("api-test-config.yml"),
          ConfigOverride.config("database.url", DB::jdbcUrl),
          ConfigOverride.config("database.user", DB::username),
          ConfigOverride.config("database.password", DB::password),
          ConfigOverride.config("oidc.issuer", () -> OIDC.issuerUrl("default").toString()),
          ConfigOverride.config(
              "aws.stsEndpoint", MOTO == null ? "http://127.0.0.1:1/" : MOTO.endpoint() + "/"));

  @TempDir Path home;
  private CliRunner cli;

  @AfterAll
  static void stopServers() {
    OIDC.shutdown();
    if (MOTO != null) {
      MOTO.close();
    }
  }

  /**
   * Two release snapshots of disk data2, written as the processor writes them (the release's row,
   * then the follower's outcome): the CLI lists both with their state and restores the ready one.
   */
  private void restoreFromAChosenSnapshot() throws IOException {
    UUID diskId =
        UUID.fromString(json(cli.run("disk", "list", "-o", "json")).get(0).path("id").asText());
    DiskSnapshot good =
        DiskSnapshot.released(UUID.randomUUID(), diskId, "snap-good", 60, Instant.now());
    DiskSnapshot bad =
        DiskSnapshot.released(UUID.randomUUID(), diskId, "snap-bad", 60, Instant.now());
    DB.jdbi()
        .useExtension(
            DiskSnapshotDao.class,
            dao -> {
              dao.insert(good);
              dao.markReady(good.id(), "snap-0123456789abcdef0", 60);
              dao.insert(bad);
              dao.markFailed(bad.id(), "SnapshotQuotaExceeded");
            });
    CliRunner.Result list = cli.run("disk", "snapshots", "data2");
    assertThat(list.out())
        .contains(good.id().toString())
        .contains("ready")
        .contains("failed: SnapshotQuotaExceeded");

    CliRunner.Result restore =
        cli.run("disk", "restore", "data2", "--snapshot", good.id().toString());
    assertThat(restore.exitCode()).as(restore.toString()).isZero();
    assertThat(restore.out()).contains("next reservation starts from snapshot " + good.id());
    assertThat(DB.jdbi().onDemand(DiskSnapshotDao.class).requestedRestore(diskId))
        .map(DiskSnapshot::id)
        .contains(good.id());

    CliRunner.Result failed =
        cli.run("disk", "restore", "data2", "--snapshot", bad.id().toString());
    assertThat(failed.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(failed.err()).contains("failed (SnapshotQuotaExceeded)");
    // another disk's snapshot id is unknown here
    assertThat(cli.run("disk", "restore", "home", "--snapshot", good.id().toString()).exitCode())
        .isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.run("audit", "--action", "disk.restore").out()).contains("disk.restore");
  }

  @Test
  void awsLoginTradesASignedGetCallerIdentityForAnApiKey() {
    Assumptions.assumeTrue(
        MOTO != null, "moto_server is not installed; skipping the AWS login test");
    CliRunner aws =
        cli.env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
            .env("AWS_REGION", "us-east-1");
    // An AWS identity logs in only as an existing user it is mapped to (aws.users): moto signed in
    // through the identity provider before.
    DB.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "insert into users (id, issuer, subject, username)"
                        + " values (gen_random_uuid(), 'https://idp.test', 'moto-sub', 'moto')"
                        + " on conflict do nothing"));
    CliRunner.Result login = aws.run("login", "--aws");
    assertThat(login.exitCode()).as(login.toString()).isZero();
    assertThat(login.out()).contains("Logged in with AWS identity");
    assertThat(login.out() + login.err()).doesNotContain("wJalrXUtnFEMI");
    CliRunner.Result who = aws.run("whoami");
    assertThat(who.exitCode()).as(who.toString()).isZero();
    assertThat(who.out()).contains("user:   moto");

    CliRunner.Result noCreds =
        new CliRunner(home.resolve("other"))
            .env("GPU_DEV_API_URL", "http://127.0.0.1:" + APP.getLocalPort())
            .run("login", "--aws");
    assertThat(noCreds.exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
    assertThat(noCreds.err()).contains("no AWS credentials");
  }

  @BeforeEach
  void cli() {
    cli =
        new CliRunner(home)
            .env("GPU_DEV_API_URL", "http://127.0.0.1:" + APP.getLocalPort())
            .env("BROWSER", "curl -s -L -o /dev/null");
  }

  /** A token as the provider issues it to the API's audience, used as a bearer by automation. */
  private static String token(String user, List<String> groups) {
    return OIDC.issueToken(
            "default",
            "sub-" + user,
            "odc",
            Map.of("preferred_username", user, "groups", groups, "email", user + "@example.com"))
        .serialize();
  }

  private static JsonNode json(CliRunner.Result r) throws IOException {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void browserLoginAgainstTheRealApi() {
    // A real provider puts the API's audience (which /v1/auth/config tells the CLI to ask for)
    // into the token; mock-oauth2-server needs to be told so for the code the browser gets.
    OIDC.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            "default",
            "sub-dave",
            "JWT",
            List.of("odc"),
            Map.of("preferred_username", "dave", "groups", List.of()),
            3600L));
    CliRunner.Result login = cli.run("login", "--timeout", "30");
    assertThat(login.exitCode()).as(login.toString()).isZero();
    CliRunner.Result reserve = cli.run("reserve", "-g", "1", "-t", "t4", "--no-wait", "-o", "json");
    assertThat(reserve.exitCode()).as(reserve.toString()).isZero();
    String prefix = reserve.out().split("\"id\" : \"")[1].substring(0, 8);
    CliRunner.Result cancel = cli.run("cancel", prefix);
    assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
    assertThat(cancel.out()).contains("CANCELLED");
    assertThat(cli.run("whoami").out()).contains("user:   dave");
  }

  @Test
  void everyCommandAgainstTheRealApi() throws IOException {
    cli.env("GPU_DEV_API_KEY", token("carol", List.of("odc-admins")));

    CliRunner.Result who = cli.run("whoami");
    assertThat(who.exitCode()).as(who.toString()).isZero();
    assertThat(who.out()).contains("user:   carol");
    assertThat(json(cli.run("whoami", "-o", "json")).path("roles").toString()).contains("ADMIN");

    CliRunner.Result avail = cli.run("avail");
    assertThat(avail.exitCode()).as(avail.toString()).isZero();
    assertThat(avail.out()).contains("h100").contains("t4");
    assertThat(json(cli.run("avail", "-o", "json")).path("gpuTypes")).hasSize(2);

    JsonNode created =
        json(
            cli.run(
                "reserve",
                "-g",
                "2",
                "-t",
                "h100",
                "-H",
                "3",
                "-n",
                "train",
                "--disk",
                "none",
                "--label",
                "team=cv",
                "--no-wait",
                "-o",
                "json"));
    String id = created.path("id").asText();
    String prefix = id.substring(0, 8);
    assertThat(created.path("status").asText()).isEqualTo("PENDING");

    CliRunner.Result list = cli.run("list");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.out()).contains(prefix).contains("train");
    assertThat(json(cli.run("list", "-o", "json")).get(0).path("id").asText()).isEqualTo(id);

    CliRunner.Result show = cli.run("show", prefix);
    assertThat(show.exitCode()).as(show.toString()).isZero();
    assertThat(show.out()).contains("id:        " + id).contains("history:").contains("PENDING");

    CliRunner.Result tooBig = cli.run("reserve", "-g", "9", "-t", "h100", "--no-wait");
    assertThat(tooBig.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(tooBig.err().lines()).hasSize(1);
    assertThat(tooBig.err()).startsWith("gpu-dev: ");

    CliRunner.Result unknownType = cli.run("reserve", "-g", "1", "-t", "v100", "--no-wait");
    assertThat(unknownType.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(unknownType.err()).contains("v100");

    assertThat(cli.run("show", "00000000").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);

    CliRunner.Result cancel = cli.run("cancel", prefix);
    assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
    assertThat(cancel.out()).contains("Cancelled " + prefix);
    assertThat(json(cli.run("show", prefix, "-o", "json")).path("status").asText())
        .isEqualTo("CANCELLED");

    CliRunner.Result disk = cli.run("disk", "create", "data", "--size", "60");
    assertThat(disk.exitCode()).as(disk.toString()).isZero();
    assertThat(cli.run("disk", "list").out()).contains("data").contains("60 GB");
    assertThat(cli.run("disk", "rename", "data", "data2").exitCode()).isZero();
    assertThat(json(cli.run("disk", "list", "-o", "json")).get(0).path("name").asText())
        .isEqualTo("data2");
    assertThat(cli.run("disk", "snapshots", "data2").exitCode()).isZero();
    restoreFromAChosenSnapshot();
    assertThat(cli.run("disk", "delete", "data2").exitCode()).isZero();
    assertThat(cli.run("disk", "snapshots", "missing").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);

    CliRunner.Result audit = cli.run("audit", "--since", "1h");
    assertThat(audit.exitCode()).as(audit.toString()).isZero();
    assertThat(audit.out())
        .contains("reservation.create")
        .contains("reservation.cancel")
        .contains("disk.create");
    JsonNode auditJson = json(cli.run("audit", "--action", "reservation.cancel", "-o", "json"));
    assertThat(auditJson).isNotEmpty();
    assertThat(auditJson.get(0).path("action").asText()).isEqualTo("reservation.cancel");
    assertThat(cli.run("audit", "-o", "csv").out())
        .startsWith("ID,AT,ACTOR,ACTION,RESOURCE,OUTCOME");
    CliRunner.Result verify = cli.run("audit", "verify");
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
    assertThat(verify.out()).contains("Audit chain intact");

    CliRunner.Result key = cli.run("api-key", "create", "ci");
    assertThat(key.exitCode()).as(key.toString()).isZero();
    String secret = key.out().strip();
    CliRunner.Result withKey =
        new CliRunner(home)
            .env("GPU_DEV_API_URL", "http://127.0.0.1:" + APP.getLocalPort())
            .env("GPU_DEV_API_KEY", secret)
            .run("whoami");
    assertThat(withKey.exitCode()).as(withKey.toString()).isZero();
    JsonNode keys = json(cli.run("api-key", "list", "-o", "json"));
    assertThat(keys).isNotEmpty();
    assertThat(cli.run("api-key", "revoke", keys.get(0).path("id").asText()).exitCode()).isZero();

    CliRunner.Result badToken = cli.env("GPU_DEV_API_KEY", "garbage").run("list");
    assertThat(badToken.exitCode()).isEqualTo(ExitCodes.AUTH_NEEDED);
  }
}
