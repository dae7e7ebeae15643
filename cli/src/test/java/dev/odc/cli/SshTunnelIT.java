package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.odc.api.ApiApplication;
import dev.odc.api.ApiConfiguration;
import dev.odc.core.Json;
import dev.odc.database.SshKeyDao;
import dev.odc.database.testing.PodStandIn;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.ssh.LoopbackSshd;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSH end to end with real OpenSSH: keys added with gpu-dev, the real {@code ssh} binary through
 * {@code gpu-dev tunnel} as its ProxyCommand, the real api-service's WebSocket tunnel, and a real
 * {@code sshd} on loopback standing in for the pod. The test plays the processor's part: it marks
 * the reservation ACTIVE, records the pod's address, and writes the owner's current keys into the
 * pod's authorized_keys.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SshTunnelIT {
  private static final ObjectMapper JSON = Json.newMapper();
  static final PostgresExtension DB = ApiTestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = ApiTestServers.startedOidc();
  static final HttpServer JUPYTER = jupyterStandIn();

  static final DropwizardAppExtension<ApiConfiguration> APP =
      new DropwizardAppExtension<>(
          ApiApplication.class,
          ResourceHelpers.resourceFilePath("api-test-config.yml"),
          ConfigOverride.config("database.url", DB::jdbcUrl),
          ConfigOverride.config("database.user", DB::username),
          ConfigOverride.config("database.password", DB::password),
          ConfigOverride.config("oidc.issuer", () -> OIDC.issuerUrl("default").toString()),
          ConfigOverride.config("ssh.tunnelCheckInterval", "200ms"),
          ConfigOverride.config("ssh.tunnelPorts", () -> "22," + JUPYTER.getAddress().getPort()));

  @TempDir static Path dir;
  static LoopbackSshd sshd;

  /** An HTTP server on loopback standing in for Jupyter in the pod. */
  private static HttpServer jupyterStandIn() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            byte[] body =
                ("jupyter stand-in: " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the HTTP stand-in", e);
    }
  }

  @BeforeAll
  static void startSshd() throws Exception {
    Assumptions.assumeTrue(
        LoopbackSshd.available(), "OpenSSH is not installed (bin/lib/openssh.sh installs it)");
    sshd = LoopbackSshd.start(dir.resolve("sshd"));
  }

  @AfterAll
  static void stop() {
    if (sshd != null) {
      sshd.close();
    }
    JUPYTER.stop(0);
    OIDC.shutdown();
  }

  // ---- helpers

  static String token(String user) {
    return OIDC.issueToken(
            "default",
            "sub-" + user,
            "odc",
            Map.of("preferred_username", user, "groups", List.of()))
        .serialize();
  }

  /** The environment of one user's gpu-dev: their own config directory, home and credential. */
  static Map<String, String> env(String user) throws IOException {
    Path home = dir.resolve("home-" + user);
    Files.createDirectories(home);
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("GPU_DEV_API_URL", "http://127.0.0.1:" + APP.getLocalPort());
    env.put("GPU_DEV_API_KEY", token(user));
    env.put("PATH", System.getenv("PATH"));
    return env;
  }

  static CliRunner cli(Map<String, String> env) {
    CliRunner runner = new CliRunner(Path.of(env.get("XDG_CONFIG_HOME")).getParent());
    env.forEach(runner::env);
    runner.env("XDG_CONFIG_HOME", env.get("XDG_CONFIG_HOME"));
    return runner;
  }

  /** gpu-dev as its own process, as a user runs it: ssh's stdin and stdout are real. */
  static Process child(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(SelfCommand.words(env));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return pb.start();
  }

  record Finished(int exitCode, String out, String err) {}

  static Finished finish(Process p) throws Exception {
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    return new Finished(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  /** ssh options that trust only the test sshd's host key and offer only {@code key}. */
  static List<String> sshFlags(Path key, String alias) throws IOException {
    Path knownHosts = sshd.knownHosts(alias);
    return List.of(
        "--user",
        sshd.user(),
        "-i",
        key.toString(),
        "--ssh-option",
        "UserKnownHostsFile=" + knownHosts,
        "--ssh-option",
        "StrictHostKeyChecking=yes",
        "--ssh-option",
        "BatchMode=yes",
        "--ssh-option",
        "IdentitiesOnly=yes");
  }

  static Finished ssh(Map<String, String> env, String id, Path key, String... command)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("ssh", id));
    args.addAll(sshFlags(key, "odc-" + id.substring(0, 8)));
    args.add("--");
    args.addAll(List.of(command));
    return finish(child(env, args.toArray(String[]::new)));
  }

  /** Reserves with the CLI, then does what the processor does once the pod runs. */
  static String activeReservation(Map<String, String> env, String name) throws Exception {
    CliRunner.Result reserve =
        cli(env).run("reserve", "-g", "1", "-t", "t4", "-n", name, "--no-wait", "-o", "json");
    assertThat(reserve.exitCode()).as(reserve.toString()).isZero();
    String id = JSON.readTree(reserve.out()).path("id").asText();
    PodStandIn.running(DB.jdbi(), UUID.fromString(id), "127.0.0.1", sshd.port());
    return id;
  }

  /** The pod's authorized_keys: the owner's keys as the API holds them now. */
  static List<String> syncKeys(String owner) throws IOException {
    List<String> keys =
        DB.jdbi().withExtension(SshKeyDao.class, d -> d.listByUsername(owner)).stream()
            .map(k -> k.publicKey())
            .toList();
    sshd.authorize(keys);
    return keys;
  }

  static String fingerprint(Path publicKey) throws Exception {
    return LoopbackSshd.run(List.of("ssh-keygen", "-l", "-f", publicKey.toString())).split(" ")[1];
  }

  // ---- tests

  @Test
  void aKeyAddedWithTheCliOpensAShellThroughTheTunnelAndARemovedKeyIsRefused() throws Exception {
    Map<String, String> alice = env("alice");
    Path key = LoopbackSshd.userKey(dir.resolve("keys"), "alice", "ed25519");
    CliRunner.Result add = cli(alice).run("ssh-key", "add", key + ".pub");
    assertThat(add.exitCode()).as(add.toString()).isZero();
    assertThat(add.out()).contains(fingerprint(Path.of(key + ".pub")));

    String id = activeReservation(alice, "train");
    assertThat(syncKeys("alice")).hasSize(1);

    Finished shell = ssh(alice, id.substring(0, 8), key, "echo", "ok");
    assertThat(shell.exitCode()).as(shell.toString()).isZero();
    assertThat(shell.out()).isEqualTo("ok\n");
    long connects =
        DB.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from audit_log where action = 'ssh.connect'"
                                + " and resource_id = :id and actor = 'alice'")
                        .bind("id", id)
                        .mapTo(Long.class)
                        .one());
    assertThat(connects).isEqualTo(1);

    // ssh-config: plain ssh (and VS Code) by name, the user's own config kept
    Path sshDir = Path.of(alice.get("HOME"), ".ssh");
    Files.createDirectories(sshDir);
    String mine = "Host example\n  User someone\n";
    Files.writeString(sshDir.resolve("config"), mine);
    CliRunner.Result config = cli(alice).run("ssh-config", "--user", sshd.user());
    assertThat(config.exitCode()).as(config.toString()).isZero();
    String written = Files.readString(sshDir.resolve("config"));
    assertThat(written).startsWith("# Added by gpu-dev ssh-config").endsWith(mine);
    assertThat(Files.readString(sshDir.resolve("gpu-dev.conf")))
        .contains("Host odc-train odc-" + id.substring(0, 8));
    Path knownHosts = sshd.knownHosts("odc-" + id.substring(0, 8));
    ProcessBuilder plain =
        new ProcessBuilder(
            "ssh",
            "-F",
            sshDir.resolve("config").toString(),
            "-i",
            key.toString(),
            "-o",
            "UserKnownHostsFile=" + knownHosts,
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "odc-train",
            "echo",
            "by-name");
    plain.environment().putAll(alice);
    plain.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Finished byName = finish(plain.start());
    assertThat(byName.exitCode()).as(byName.toString()).isZero();
    assertThat(byName.out()).isEqualTo("by-name\n");

    // removed: the next connection is refused by sshd
    CliRunner.Result remove =
        cli(alice).run("ssh-key", "remove", fingerprint(Path.of(key + ".pub")));
    assertThat(remove.exitCode()).as(remove.toString()).isZero();
    assertThat(syncKeys("alice")).isEmpty();
    Finished refused = ssh(alice, id, key, "echo", "ok");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(255);
    assertThat(refused.err()).contains("Permission denied");
    assertThat(refused.out()).doesNotContain("ok");
  }

  @Test
  void anotherUsersTokenGets404AndTheirKeyIsNotInThePod() throws Exception {
    Map<String, String> owner = env("olga");
    Map<String, String> other = env("bob");
    Path olgaKey = LoopbackSshd.userKey(dir.resolve("keys"), "olga", "ecdsa");
    Path bobKey = LoopbackSshd.userKey(dir.resolve("keys"), "bob", "ed25519");
    assertThat(cli(owner).run("ssh-key", "add", olgaKey + ".pub").exitCode()).isZero();
    assertThat(cli(other).run("ssh-key", "add", bobKey + ".pub").exitCode()).isZero();
    String id = activeReservation(owner, "olga-box");
    List<String> inPod = syncKeys("olga");
    String bobPublic = Files.readString(Path.of(bobKey + ".pub")).split(" ")[1];
    assertThat(inPod).hasSize(1).noneMatch(k -> k.contains(bobPublic));

    Finished tunnel = finish(child(other, "tunnel", id));
    assertThat(tunnel.exitCode()).as(tunnel.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(tunnel.err()).contains("not found");
    // bob's ssh, even with a key the pod would accept, never reaches it
    Finished ssh = ssh(other, id, olgaKey, "echo", "ok");
    assertThat(ssh.exitCode()).isNotZero();
    assertThat(ssh.out()).doesNotContain("ok");
    CliRunner.Result show = cli(other).run("ssh", id, "--", "true");
    assertThat(show.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void portForwardCarriesHttpToAServerInThePod() throws Exception {
    Map<String, String> env = env("pat");
    String id = activeReservation(env, "notebook");
    int remote = JUPYTER.getAddress().getPort();
    Process forward = child(env, "port-forward", id, "0:" + remote);
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(forward.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("first line of port-forward").isNotNull();
      Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      int local = Integer.parseInt(m.group(1));
      for (String path : List.of("/lab", "/api/kernels")) {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create("http://127.0.0.1:" + local + path)
                    .toURL()
                    .openConnection(Proxy.NO_PROXY);
        c.setReadTimeout(20_000);
        assertThat(c.getResponseCode()).isEqualTo(200);
        try (var in = c.getInputStream()) {
          assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .isEqualTo("jupyter stand-in: " + path);
        }
      }
      // a port outside the allowed list is refused by the API with its reason
      Finished refused = finish(child(env, "tunnel", id, "--port", "5432"));
      assertThat(refused.exitCode()).isEqualTo(ExitCodes.ERROR);
      assertThat(refused.err()).contains("5432");
    } finally {
      forward.destroy();
      forward.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPrivateKeyOrGarbageToSshKeyAddIsRefusedAndNothingIsStored() throws Exception {
    Map<String, String> env = env("quinn");
    Path key = LoopbackSshd.userKey(dir.resolve("keys"), "quinn", "ed25519");
    CliRunner.Result secret = cli(env).run("ssh-key", "add", key.toString());
    assertThat(secret.exitCode()).as(secret.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(secret.err()).contains("PRIVATE key").contains(key + ".pub");
    Path garbage = dir.resolve("garbage.pub");
    Files.writeString(garbage, "ssh-ed25519 not-really-a-key quinn@laptop\n");
    CliRunner.Result bad = cli(env).run("ssh-key", "add", garbage.toString());
    assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(bad.err()).contains("not base64");
    CliRunner.Result list = cli(env).run("ssh-key", "list", "-o", "json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    JsonNode keys = JSON.readTree(list.out());
    assertThat(keys).isEmpty();
  }

  @Test
  void theTunnelClosesWhenTheReservationIsCancelled() throws Exception {
    Map<String, String> env = env("rosa");
    Path key = LoopbackSshd.userKey(dir.resolve("keys"), "rosa", "ed25519");
    assertThat(cli(env).run("ssh-key", "add", key + ".pub").exitCode()).isZero();
    String id = activeReservation(env, "long-job");
    syncKeys("rosa");
    List<String> args = new ArrayList<>(List.of("ssh", id));
    args.addAll(sshFlags(key, "odc-" + id.substring(0, 8)));
    args.addAll(List.of("--", "echo", "started;", "sleep", "120"));
    Process session = child(env, args.toArray(String[]::new));
    BufferedReader out =
        new BufferedReader(new InputStreamReader(session.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("started");

    CliRunner.Result cancel = cli(env).run("cancel", id);
    assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> !session.isAlive());
    String err = new String(session.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(session.exitValue()).as(err).isNotZero();
    assertThat(err).contains("CANCELLED");
  }

  @Test
  void loginOffersTheUsualKeyOnlyWhenAskedOrOnATerminal() throws Exception {
    for (String user : List.of("sam", "tess")) {
      OIDC.enqueueCallback(
          new DefaultOAuth2TokenCallback(
              "default",
              "sub-" + user,
              "JWT",
              List.of("odc"),
              Map.of("preferred_username", user, "groups", List.of()),
              3600L));
    }
    Map<String, String> sam = env("sam");
    sam.remove("GPU_DEV_API_KEY");
    Path samSsh = Path.of(sam.get("HOME"), ".ssh");
    Path samKey = LoopbackSshd.userKey(samSsh, "id_ed25519", "ed25519");
    CliRunner.Result login =
        cli(sam).env("BROWSER", "curl -s -L -o /dev/null").run("login", "--timeout", "30");
    assertThat(login.exitCode()).as(login.toString()).isZero();
    // not a terminal: no question, a hint instead, nothing registered
    assertThat(login.err()).contains("gpu-dev ssh-key add " + samKey + ".pub");
    assertThat(cli(sam).run("ssh-key", "list").out()).contains("No SSH keys");

    Map<String, String> tess = env("tess");
    tess.remove("GPU_DEV_API_KEY");
    Path tessKey = LoopbackSshd.userKey(dir.resolve("keys"), "tess", "ed25519");
    CliRunner.Result flagged =
        cli(tess)
            .env("BROWSER", "curl -s -L -o /dev/null")
            .run("login", "--timeout", "30", "--ssh-key", tessKey + ".pub");
    assertThat(flagged.exitCode()).as(flagged.toString()).isZero();
    assertThat(flagged.out())
        .contains("Registered SSH key")
        .contains(fingerprint(Path.of(tessKey + ".pub")));
    assertThat(cli(tess).run("ssh-key", "list").out())
        .contains(fingerprint(Path.of(tessKey + ".pub")));
  }
}
