package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalIdentityProviderTest {
  @Test
  void configTurnsOnTheLoginPageAndGivesEveryTokenTheApiAudience() throws Exception {
    JsonNode config =
        new ObjectMapper()
            .readTree(
                LocalIdentityProvider.config(Path.of("/data/run/login.html"), Duration.ofHours(1)));
    assertThat(config.path("interactiveLogin").asBoolean()).isTrue();
    assertThat(config.path("loginPagePath").asText()).isEqualTo("/data/run/login.html");
    JsonNode callback = config.path("tokenCallbacks").get(0);
    assertThat(callback.path("issuerId").asText()).isEqualTo("odc");
    assertThat(callback.path("tokenExpiry").asLong()).isEqualTo(3600);
    JsonNode mapping = callback.path("requestMappings").get(0);
    assertThat(mapping.path("match").asText()).isEqualTo("*");
    assertThat(mapping.path("claims").path("aud").get(0).asText()).isEqualTo("odc-api");
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
