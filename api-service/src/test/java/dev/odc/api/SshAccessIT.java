package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.ErrorCode;
import dev.odc.core.Json;
import dev.odc.core.Reservation;
import dev.odc.core.SshKey;
import dev.odc.core.api.ErrorResponse;
import dev.odc.database.testing.PodStandIn;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.ssh.LoopbackSshd;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/ssh-keys} with keys made by the real ssh-keygen, and the tunnel's rules (owner only,
 * ACTIVE only, allowed ports, audit, closed when the reservation ends) against a loopback echo
 * server standing in for a pod's port.
 */
class SshAccessIT {
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();
  static final EchoServer ECHO = EchoServer.start();
  static final int MAX_KEYS = 5;

  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP =
      TestServers.app(
          DB,
          OIDC,
          ConfigOverride.config("ssh.maxKeysPerUser", Integer.toString(MAX_KEYS)),
          ConfigOverride.config("ssh.tunnelCheckInterval", "200ms"),
          ConfigOverride.config("ssh.tunnelPorts", () -> "22," + ECHO.port()));

  static final ObjectMapper MAPPER = Json.newMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path keys;

  @BeforeAll
  static void needsOpenSsh() {
    Assumptions.assumeTrue(
        LoopbackSshd.available(), "OpenSSH is not installed (bin/lib/openssh.sh installs it)");
  }

  @AfterAll
  static void stop() {
    OIDC.shutdown();
    ECHO.close();
  }

  static String token(String user, List<String> groups) {
    return OIDC.issueToken(
            TestServers.ISSUER_ID,
            "sub-" + user,
            TestServers.AUDIENCE,
            Map.of("preferred_username", user, "groups", groups))
        .serialize();
  }

  static HttpResponse<String> send(String method, String path, String bearer, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP.getLocalPort() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> addKey(String bearer, String publicKey) throws Exception {
    return send(
        "POST", "/v1/ssh-keys", bearer, MAPPER.writeValueAsString(Map.of("publicKey", publicKey)));
  }

  static ErrorResponse error(HttpResponse<String> response, int status, ErrorCode code)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    ErrorResponse error = MAPPER.readValue(response.body(), ErrorResponse.class);
    assertThat(error.code()).isEqualTo(code);
    return error;
  }

  static List<SshKey> list(String bearer, String query) throws Exception {
    HttpResponse<String> r = send("GET", "/v1/ssh-keys" + query, bearer, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return MAPPER.readValue(r.body(), new TypeReference<List<SshKey>>() {});
  }

  static long rows(String sql) {
    return DB.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  // ---- keys

  @Test
  void everyKeyTypeIsReadAsSshKeygenReadsIt() throws Exception {
    String carol = token("carol", List.of());
    List<String[]> types =
        List.of(
            new String[] {"ed25519", null},
            new String[] {"ecdsa", "256"},
            new String[] {"ecdsa", "384"},
            new String[] {"ecdsa", "521"},
            new String[] {"rsa", null});
    for (String[] type : types) {
      Path key = keys.resolve("carol-" + type[0] + (type[1] == null ? "" : type[1]));
      List<String> cmd =
          new java.util.ArrayList<>(
              List.of(
                  "ssh-keygen",
                  "-q",
                  "-t",
                  type[0],
                  "-N",
                  "",
                  "-C",
                  "carol laptop",
                  "-f",
                  key.toString()));
      if (type[1] != null) {
        cmd.addAll(List.of("-b", type[1]));
      }
      LoopbackSshd.run(cmd);
      String pub = Files.readString(Path.of(key + ".pub"));
      // ssh-keygen -l: "<bits> SHA256:<fp> <comment> (<TYPE>)"
      String[] expected =
          LoopbackSshd.run(List.of("ssh-keygen", "-l", "-f", key + ".pub")).split(" ");

      HttpResponse<String> r = addKey(carol, pub);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      SshKey added = MAPPER.readValue(r.body(), SshKey.class);
      assertThat(added.bits()).isEqualTo(Integer.parseInt(expected[0]));
      assertThat(added.fingerprint()).isEqualTo(expected[1]);
      assertThat(added.name()).isEqualTo("carol laptop");
      assertThat(pub).startsWith(added.publicKey() + " ");
    }
    assertThat(list(carol, "")).hasSize(MAX_KEYS);

    // one more is over the limit, and the same key again is a conflict
    Path extra = LoopbackSshd.userKey(keys, "carol-extra", "ed25519");
    ErrorResponse limit =
        error(
            addKey(carol, Files.readString(Path.of(extra + ".pub"))),
            422,
            ErrorCode.LIMIT_EXCEEDED);
    assertThat(limit.details()).containsEntry("limit", "ssh.maxKeysPerUser");
    String first = Files.readString(keys.resolve("carol-ed25519.pub"));
    error(addKey(carol, first), 409, ErrorCode.CONFLICT);
    assertThat(list(carol, "")).hasSize(MAX_KEYS);
  }

  @Test
  void aPrivateKeyIsRefusedNeverRepeatedAndNotStored() throws Exception {
    String dave = token("dave", List.of());
    Path key = LoopbackSshd.userKey(keys, "dave-secret", "ed25519");
    String secret = Files.readString(key);
    assertThat(list(dave, "")).isEmpty();
    long before = rows("select count(*) from ssh_keys");
    long audit = rows("select count(*) from audit_log");

    HttpResponse<String> r = addKey(dave, secret);
    ErrorResponse e = error(r, 400, ErrorCode.INVALID_ARGUMENT);
    assertThat(e.message()).contains("PRIVATE key").contains(".pub");
    assertThat(e.details()).containsEntry("field", "publicKey");
    // not a single line of the key's body comes back
    secret
        .lines()
        .filter(l -> !l.startsWith("-----"))
        .forEach(line -> assertThat(r.body()).doesNotContain(line));
    assertThat(rows("select count(*) from ssh_keys")).isEqualTo(before);
    assertThat(rows("select count(*) from audit_log")).isEqualTo(audit);
    // the same inside otherwise valid JSON with a name, and as a PEM RSA key
    error(addKey(dave, "  \n" + secret + "\n"), 400, ErrorCode.INVALID_ARGUMENT);
    String pem =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n-----END RSA PRIVATE KEY-----\n";
    ErrorResponse rsa = error(addKey(dave, pem), 400, ErrorCode.INVALID_ARGUMENT);
    assertThat(rsa.message()).doesNotContain("MIIEowIBAAKCAQEA");
    assertThat(list(dave, "")).isEmpty();
  }

  @Test
  void garbageAndWeakKeysGetAClear400() throws Exception {
    String erin = token("erin", List.of());
    Path small = keys.resolve("erin-rsa1024");
    LoopbackSshd.run(
        List.of("ssh-keygen", "-q", "-t", "rsa", "-b", "1024", "-N", "", "-f", small.toString()));
    Path good = LoopbackSshd.userKey(keys, "erin-good", "ed25519");
    String[] parts = Files.readString(Path.of(good + ".pub")).strip().split(" ");
    Map<String, String> cases =
        Map.of(
            "hello world",
            "not an OpenSSH public key",
            Files.readString(Path.of(small + ".pub")),
            "at least 2048 bits",
            parts[0] + " " + parts[1].substring(0, 40),
            "truncated",
            "command=\"ls\" " + parts[0] + " " + parts[1],
            "options are not accepted",
            parts[0] + " " + parts[1] + "\n" + parts[0] + " " + parts[1],
            "single line",
            "ssh-rsa " + parts[1],
            "type is not 'ssh-rsa'",
            parts[0] + " !!notbase64!!",
            "not base64",
            "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----",
            "RFC 4716");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      ErrorResponse e = error(addKey(erin, c.getKey()), 400, ErrorCode.INVALID_ARGUMENT);
      assertThat(e.message()).as(c.getKey()).contains(c.getValue());
    }
    error(send("POST", "/v1/ssh-keys", erin, "{}"), 400, ErrorCode.INVALID_ARGUMENT);
    error(
        send("POST", "/v1/ssh-keys", erin, "{\"publicKey\": 3, \"x\": 1}"),
        400,
        ErrorCode.MALFORMED_REQUEST);
    assertThat(list(erin, "")).isEmpty();
  }

  @Test
  void usersSeeAndRemoveOnlyTheirOwnKeysAndEveryChangeIsAudited() throws Exception {
    String frank = token("frank", List.of());
    String grace = token("grace", List.of());
    String admin = token("root", List.of("odc-admins"));
    Path key = LoopbackSshd.userKey(keys, "frank", "ed25519");
    SshKey added =
        MAPPER.readValue(
            addKey(frank, Files.readString(Path.of(key + ".pub"))).body(), SshKey.class);

    assertThat(list(grace, "")).isEmpty();
    error(send("GET", "/v1/ssh-keys?user=frank", grace, null), 403, ErrorCode.FORBIDDEN);
    error(send("DELETE", "/v1/ssh-keys/" + added.id(), grace, null), 404, ErrorCode.NOT_FOUND);
    error(send("DELETE", "/v1/ssh-keys/not-a-uuid", frank, null), 404, ErrorCode.NOT_FOUND);
    assertThat(list(admin, "?user=frank")).extracting(SshKey::id).containsExactly(added.id());

    HttpResponse<String> removed = send("DELETE", "/v1/ssh-keys/" + added.id(), frank, null);
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    assertThat(list(frank, "")).isEmpty();
    error(send("DELETE", "/v1/ssh-keys/" + added.id(), frank, null), 404, ErrorCode.NOT_FOUND);

    List<Map<String, Object>> audit =
        DB.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select actor, action, details::text as details from audit_log"
                                + " where resource_type = 'ssh-key' and resource_id = :id order by id")
                        .bind("id", added.id().toString())
                        .mapToMap()
                        .list());
    assertThat(audit)
        .extracting(m -> m.get("action"))
        .containsExactly("ssh-key.add", "ssh-key.remove");
    assertThat(audit).extracting(m -> m.get("actor")).containsOnly("frank");
    assertThat(audit.get(0).get("details").toString()).contains(added.fingerprint());
  }

  // ---- tunnel

  /** A reservation of {@code owner}'s, ACTIVE, with its node 0 at the echo server. */
  static Reservation activeReservation(String owner) throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/reservations",
            owner,
            "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"disk\":\"none\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    Reservation created = MAPPER.readValue(r.body(), Reservation.class);
    PodStandIn.running(DB.jdbi(), created.id(), "127.0.0.1", 22);
    return created;
  }

  static URI tunnelUri(Reservation r, String query) {
    return URI.create(
        "ws://127.0.0.1:" + APP.getLocalPort() + "/v1/reservations/" + r.id() + "/tunnel" + query);
  }

  /** Collects what the server sends and how it closed. */
  static final class Collector implements WebSocket.Listener {
    final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    volatile String reason;

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      received.add(bytes);
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      this.reason = reason;
      closed.complete(code);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  static WebSocket open(URI uri, String bearer, Collector collector) throws Exception {
    WebSocket.Builder b = HTTP.newWebSocketBuilder();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return b.buildAsync(uri, collector).get(10, TimeUnit.SECONDS);
  }

  static int refusedWith(URI uri, String bearer) {
    Throwable failure =
        org.assertj.core.api.Assertions.catchThrowable(() -> open(uri, bearer, new Collector()));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode();
  }

  @Test
  void theOwnersTunnelCarriesBytesIsAuditedAndClosesWhenTheReservationIsCancelled()
      throws Exception {
    String henry = token("henry", List.of());
    Reservation r = activeReservation(henry);
    Collector collector = new Collector();
    WebSocket ws = open(tunnelUri(r, "?port=" + ECHO.port()), henry, collector);
    ws.sendBinary(ByteBuffer.wrap("ping over the tunnel".getBytes(StandardCharsets.UTF_8)), true)
        .get();
    StringBuilder echoed = new StringBuilder();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              byte[] chunk = collector.received.poll(100, TimeUnit.MILLISECONDS);
              if (chunk != null) {
                echoed.append(new String(chunk, StandardCharsets.UTF_8));
              }
              return echoed.toString().equals("ping over the tunnel");
            });
    String details =
        DB.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select details::text from audit_log where action = 'ssh.connect'"
                                + " and resource_id = :id and actor = 'henry'")
                        .bind("id", r.id().toString())
                        .mapTo(String.class)
                        .one());
    assertThat(details).contains("\"port\": " + ECHO.port()).contains("\"node\": 0");

    HttpResponse<String> cancel =
        send("POST", "/v1/reservations/" + r.id() + "/cancel", henry, null);
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    assertThat(collector.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4001);
    assertThat(collector.reason).contains("CANCELLED");
    // and it cannot be opened again
    assertThat(refusedWith(tunnelUri(r, ""), henry)).isEqualTo(409);
  }

  @Test
  void onlyTheOwnerMayOpenTheTunnelOthersGet404() throws Exception {
    String ivan = token("ivan", List.of());
    Reservation r = activeReservation(ivan);
    URI uri = tunnelUri(r, "?port=" + ECHO.port());
    assertThat(refusedWith(uri, token("judy", List.of()))).isEqualTo(404);
    assertThat(refusedWith(uri, token("root", List.of("odc-admins")))).isEqualTo(404);
    assertThat(refusedWith(uri, null)).isEqualTo(401);
    assertThat(refusedWith(uri, "not-a-token")).isEqualTo(401);
    assertThat(
            refusedWith(
                URI.create(
                    "ws://127.0.0.1:"
                        + APP.getLocalPort()
                        + "/v1/reservations/"
                        + UUID.randomUUID()
                        + "/tunnel"),
                ivan))
        .isEqualTo(404);
    assertThat(
            rows(
                "select count(*) from audit_log where action = 'ssh.connect' and resource_id = '"
                    + r.id()
                    + "'"))
        .isZero();

    // the error shape, for clients that read it
    HttpResponse<String> plain =
        send("GET", "/v1/reservations/" + r.id() + "/tunnel", token("judy", List.of()), null);
    assertThat(error(plain, 404, ErrorCode.NOT_FOUND).message()).contains(r.id().toString());
    HttpResponse<String> noUpgrade =
        send("GET", "/v1/reservations/" + r.id() + "/tunnel", ivan, null);
    assertThat(error(noUpgrade, 400, ErrorCode.INVALID_ARGUMENT).message()).contains("WebSocket");
    HttpResponse<String> badPort =
        send("GET", "/v1/reservations/" + r.id() + "/tunnel?port=5432", ivan, null);
    assertThat(error(badPort, 400, ErrorCode.INVALID_ARGUMENT).message()).contains("5432");
    HttpResponse<String> badNode =
        send("GET", "/v1/reservations/" + r.id() + "/tunnel?node=1", ivan, null);
    assertThat(error(badNode, 400, ErrorCode.INVALID_ARGUMENT).details())
        .containsEntry("field", "node");
  }

  @Test
  void aReservationThatIsNotActiveOrNotReachableIsRefusedWithAReason() throws Exception {
    String kate = token("kate", List.of());
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/reservations",
            kate,
            "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"disk\":\"none\"}");
    Reservation pending = MAPPER.readValue(r.body(), Reservation.class);
    assertThat(refusedWith(tunnelUri(pending, ""), kate)).isEqualTo(409);
    HttpResponse<String> plain =
        send("GET", "/v1/reservations/" + pending.id() + "/tunnel", kate, null);
    assertThat(error(plain, 409, ErrorCode.INVALID_STATE).message()).contains("PENDING");

    // ACTIVE, but nothing listens where the processor said the pod is
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    PodStandIn.running(DB.jdbi(), pending.id(), "127.0.0.1", closedPort);
    assertThat(refusedWith(tunnelUri(pending, ""), kate)).isEqualTo(503);
    assertThatThrownBy(() -> open(tunnelUri(pending, ""), kate, new Collector()))
        .hasCauseInstanceOf(WebSocketHandshakeException.class);
  }

  /** A loopback TCP server that sends back what it receives: the pod's port in these tests. */
  static final class EchoServer implements AutoCloseable {
    private final ServerSocket server;

    private EchoServer(ServerSocket server) {
      this.server = server;
    }

    static EchoServer start() {
      try {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        EchoServer echo = new EchoServer(server);
        Thread.ofPlatform().daemon().name("echo").start(echo::serve);
        return echo;
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the echo server", e);
      }
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (s;
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream()) {
                      in.transferTo(out);
                    } catch (IOException e) {
                      // the peer went away
                    }
                  });
        } catch (IOException e) {
          return;
        }
      }
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        // closing a test server
      }
    }
  }
}
