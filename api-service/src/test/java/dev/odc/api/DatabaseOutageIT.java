package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.core.ErrorCode;
import dev.odc.core.Json;
import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database goes away mid-test: the API reaches PostgreSQL through a TCP relay that the test
 * then shuts, closing every connection and refusing new ones. Requests that need the database must
 * answer 503 {@code UNAVAILABLE} in the error shape, with {@code Retry-After} and no stack trace.
 */
class DatabaseOutageIT {
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();
  static final Relay RELAY = Relay.to(DB.jdbcUrl());

  // Not TestServers.app: its database.url override would compete with the relay's (Dropwizard
  // keeps overrides in a set, so which one wins is not defined).
  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP =
      new DropwizardAppExtension<>(
          ApiApplication.class,
          ResourceHelpers.resourceFilePath("test-config.yml"),
          ConfigOverride.config("database.url", () -> RELAY.jdbcUrl(DB.jdbcUrl())),
          ConfigOverride.config("database.user", DB::username),
          ConfigOverride.config("database.password", DB::password),
          ConfigOverride.config(
              "oidc.issuer", () -> OIDC.issuerUrl(TestServers.ISSUER_ID).toString()));

  @AfterAll
  static void stop() {
    RELAY.close();
    OIDC.shutdown();
  }

  static String token(String user) {
    return OIDC.issueToken(
            TestServers.ISSUER_ID,
            "sub-" + user,
            TestServers.AUDIENCE,
            Map.of("preferred_username", user, "groups", List.of()))
        .serialize();
  }

  static HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + APP.getLocalPort() + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertUnavailable(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    JsonNode error = Json.newMapper().readTree(response.body());
    assertThat(error.path("code").asText()).isEqualTo(ErrorCode.UNAVAILABLE.name());
    assertThat(error.path("message").asText()).isNotBlank();
    // no internals: no exception class names, no stack frames, no JDBC URL
    assertThat(response.body())
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("jdbc:")
        .doesNotContain("org.");
  }

  @Test
  void requestsAnswer503WhileTheDatabaseIsDown() throws Exception {
    String alice = token("alice");
    String reserve = "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"disk\":\"none\"}";
    // with the database up, alice exists and can reserve
    assertThat(call("GET", "/v1/me", alice, null).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/v1/reservations", alice, reserve).statusCode()).isEqualTo(202);
    long reservations = count();

    RELAY.close();
    // a known user (answered from the user cache) reaches the create, which cannot connect
    assertUnavailable(call("POST", "/v1/reservations", alice, reserve));
    assertUnavailable(call("GET", "/v1/reservations", alice, null));
    // a new user's first login needs the database already in authentication
    assertUnavailable(call("GET", "/v1/me", token("newcomer"), null));

    // nothing was half written: the direct connection (not through the relay) sees the same rows
    assertThat(count()).isEqualTo(reservations);
  }

  static long count() {
    return DB.jdbi()
        .withHandle(
            h -> h.createQuery("select count(*) from reservations").mapTo(Long.class).one());
  }

  /** A loopback TCP relay to the database server; {@link #close} cuts every connection. */
  static final class Relay implements AutoCloseable {
    private static final Pattern HOST_PORT = Pattern.compile("//([^:/]+):(\\d+)/");
    private final ServerSocket server;
    private final String host;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    private Relay(String host, int port) throws IOException {
      this.host = host;
      this.port = port;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(this::acceptLoop, "db-relay-accept");
      accept.setDaemon(true);
      accept.start();
    }

    static Relay to(String jdbcUrl) {
      Matcher m = HOST_PORT.matcher(jdbcUrl);
      if (!m.find()) {
        throw new IllegalArgumentException("no host:port in " + jdbcUrl);
      }
      try {
        return new Relay(m.group(1), Integer.parseInt(m.group(2)));
      } catch (IOException e) {
        throw new IllegalStateException("cannot open the relay", e);
      }
    }

    /** The database URL with the relay's port instead of the server's. */
    String jdbcUrl(String original) {
      Matcher m = HOST_PORT.matcher(original);
      return m.replaceFirst(Matcher.quoteReplacement("//127.0.0.1:" + server.getLocalPort() + "/"));
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket upstream = new Socket(host, port);
          sockets.add(client);
          sockets.add(upstream);
          pump(client, upstream);
          pump(upstream, client);
        } catch (IOException e) {
          // closed: stop accepting
        }
      }
    }

    private void pump(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  // a side closed
                } finally {
                  closeQuietly(from);
                  closeQuietly(to);
                }
              },
              "db-relay-pump");
      t.setDaemon(true);
      t.start();
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        // already closed
      }
      sockets.forEach(Relay::closeQuietly);
    }
  }
}
