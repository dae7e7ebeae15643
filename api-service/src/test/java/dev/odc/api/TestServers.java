package dev.odc.api;

import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/** The real servers the api-service tests run against: embedded PostgreSQL and an OIDC issuer. */
final class TestServers {
  static final String ISSUER_ID = "default";
  static final String AUDIENCE = "odc";

  private TestServers() {}

  /** A clean database; its server starts on first use and stays for the JVM. */
  static PostgresExtension cleanDatabase() {
    PostgresExtension db = new PostgresExtension();
    try {
      db.clean();
    } catch (SQLException e) {
      throw new IllegalStateException("test database cannot be cleaned", e);
    }
    return db;
  }

  static MockOAuth2Server startedOidc() {
    MockOAuth2Server server = new MockOAuth2Server();
    server.start();
    return server;
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * Sends one request to the application as written (the JDK client leaves paths and queries
   * alone), with a bearer credential when one is given and a JSON body when one is given.
   */
  static HttpResponse<String> send(
      DropwizardAppExtension<?> app, String method, String pathAndQuery, String bearer, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + pathAndQuery))
            .header("Accept", "application/json")
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
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The application on random ports, with {@code test-config.yml} and these overrides. */
  static DropwizardAppExtension<ApiConfiguration> app(
      PostgresExtension db, MockOAuth2Server oidc, ConfigOverride... more) {
    List<ConfigOverride> overrides = new ArrayList<>();
    overrides.add(ConfigOverride.config("database.url", db::jdbcUrl));
    overrides.add(ConfigOverride.config("database.user", db::username));
    overrides.add(ConfigOverride.config("database.password", db::password));
    overrides.add(ConfigOverride.config("oidc.issuer", () -> oidc.issuerUrl(ISSUER_ID).toString()));
    overrides.addAll(List.of(more));
    return new DropwizardAppExtension<>(
        ApiApplication.class,
        ResourceHelpers.resourceFilePath("test-config.yml"),
        overrides.toArray(ConfigOverride[]::new));
  }
}
