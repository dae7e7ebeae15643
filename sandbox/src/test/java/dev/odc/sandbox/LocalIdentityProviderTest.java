package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalIdentityProviderTest {
  @Test
  void configTurnsOnTheLoginPageAndGivesEveryTokenTheApiAudience() throws Exception {
    JsonNode config =
        new ObjectMapper()
            .readTree(
                LocalIdentityProvider.config(
                    Path.of("/data/run/login.html"), Duration.ofHours(1), "{\"kty\":\"RSA\"}"));
    assertThat(config.path("interactiveLogin").asBoolean()).isTrue();
    JsonNode keys = config.path("tokenProvider").path("keyProvider");
    assertThat(keys.path("initialKeys").asText()).isEqualTo("{\"kty\":\"RSA\"}");
    assertThat(keys.path("algorithm").asText()).isEqualTo("RS256");
    assertThat(config.path("loginPagePath").asText()).isEqualTo("/data/run/login.html");
    JsonNode callback = config.path("tokenCallbacks").get(0);
    assertThat(callback.path("issuerId").asText()).isEqualTo("odc");
    assertThat(callback.path("tokenExpiry").asLong()).isEqualTo(3600);
    JsonNode mapping = callback.path("requestMappings").get(0);
    assertThat(mapping.path("match").asText()).isEqualTo("*");
    assertThat(mapping.path("claims").path("aud").get(0).asText()).isEqualTo("odc-api");
    // the client id too, which the web console's ID token check requires
    assertThat(mapping.path("claims").path("aud").get(1).asText()).isEqualTo("gpu-dev");
  }

  @Test
  void theSigningKeyIsMadeOnceAndKeptPrivate(@TempDir Path dir) throws Exception {
    String first = LocalIdentityProvider.signingKey(dir);
    assertThat(RSAKey.parse(first).isPrivate()).isTrue();
    assertThat(LocalIdentityProvider.signingKey(dir)).isEqualTo(first);
    assertThat(Files.getPosixFilePermissions(dir.resolve("oidc-signing-key.jwk")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void loginPageSaysSimulatedAndListsTheAdmins() throws Exception {
    String page = LocalIdentityProvider.loginPage(Set.of("bob", "alice"));
    assertThat(page)
        .contains("simulated")
        .contains("const admins = [\"alice\",\"bob\"];")
        .contains("Administrators (group odc-admins): alice, bob")
        .contains("name=\"username\"")
        .contains("name=\"claims\"")
        .doesNotContain("@ADMIN");
    assertThat(LocalIdentityProvider.loginPage(Set.of())).contains("const admins = [];");
  }
}
