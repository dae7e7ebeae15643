package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Json;
import dev.odc.core.api.Availability;
import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code simulatedCluster: true} (what the sandbox writes) shows in {@code GET /v1/availability}.
 */
class SimulatedClusterIT {
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();

  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP =
      TestServers.app(DB, OIDC, ConfigOverride.config("simulatedCluster", "true"));

  @AfterAll
  static void stopOidc() {
    OIDC.shutdown();
  }

  @Test
  void availabilitySaysTheClusterIsSimulated() throws Exception {
    String token =
        OIDC.issueToken(
                TestServers.ISSUER_ID,
                "sub-sim",
                TestServers.AUDIENCE,
                Map.of("preferred_username", "sim", "groups", List.of()))
            .serialize();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://localhost:" + APP.getLocalPort() + "/v1/availability"))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Availability availability = Json.newMapper().readValue(response.body(), Availability.class);
    assertThat(availability.simulated()).isTrue();
    assertThat(availability.gpuTypes()).extracting("name").contains("h100", "t4");
  }
}
