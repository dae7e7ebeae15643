package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliSetupTest {
  @TempDir Path config;

  private Map<String, String> env() {
    return Map.of("XDG_CONFIG_HOME", config.toString(), "HOME", config.toString());
  }

  @Test
  void writesTheApiUrlIntoAFreshConfiguration() throws Exception {
    CliSetup.Outcome outcome = CliSetup.configure(env(), "http://127.0.0.1:7080", false);
    assertThat(outcome.written()).isTrue();
    assertThat(Files.readString(config.resolve("gpu-dev/config.json")))
        .contains("\"api-url\" : \"http://127.0.0.1:7080\"");
  }

  @Test
  void replacesAnEarlierSandboxUrl() throws Exception {
    CliSetup.configure(env(), "http://127.0.0.1:7080", false);
    CliSetup.Outcome outcome = CliSetup.configure(env(), "http://127.0.0.1:9999", false);
    assertThat(outcome.written()).isTrue();
    assertThat(outcome.previousUrl()).contains("http://127.0.0.1:7080");
    assertThat(Files.readString(config.resolve("gpu-dev/config.json")))
        .contains("http://127.0.0.1:9999");
  }

  @Test
  void neverOverwritesARealPlatform() throws Exception {
    Files.createDirectories(config.resolve("gpu-dev"));
    Files.writeString(
        config.resolve("gpu-dev/config.json"), "{\"api-url\": \"https://odc.example.com\"}");
    CliSetup.Outcome outcome = CliSetup.configure(env(), "http://127.0.0.1:7080", false);
    assertThat(outcome.written()).isFalse();
    assertThat(outcome.previousUrl()).contains("https://odc.example.com");
    assertThat(Files.readString(config.resolve("gpu-dev/config.json")))
        .contains("https://odc.example.com");
  }

  @Test
  void localServersMakeSshLogInAsTheLocalUserUnlessAnotherIsSet() throws Exception {
    CliSetup.configure(env(), "http://127.0.0.1:7080", true);
    assertThat(Files.readString(config.resolve("gpu-dev/config.json")))
        .contains("\"ssh.user\" : \"" + System.getProperty("user.name") + "\"");

    Files.writeString(
        config.resolve("gpu-dev/config.json"),
        "{\"api-url\": \"http://127.0.0.1:7080\", \"ssh.user\": \"someone\"}");
    CliSetup.configure(env(), "http://127.0.0.1:7080", true);
    assertThat(Files.readString(config.resolve("gpu-dev/config.json"))).contains("someone");
  }
}
