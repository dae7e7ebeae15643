package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.UndefinedEnvironmentVariableException;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.testing.ResourceHelpers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration is read exactly as {@link ApiApplication} reads it at start-up. */
class ApiConfigurationTest {

  private static ApiConfiguration load(String path) throws Exception {
    ApiApplication app = new ApiApplication();
    Bootstrap<ApiConfiguration> bootstrap = new Bootstrap<>(app);
    bootstrap.setConfigurationSourceProvider(new FileConfigurationSourceProvider());
    app.initialize(bootstrap);
    ConfigurationFactory<ApiConfiguration> factory =
        bootstrap
            .getConfigurationFactoryFactory()
            .create(
                ApiConfiguration.class,
                bootstrap.getValidatorFactory().getValidator(),
                bootstrap.getObjectMapper(),
                "dw");
    return factory.build(bootstrap.getConfigurationSourceProvider(), path);
  }

  @Test
  void aMissingEnvironmentVariableStopsStartUpNamingIt() {
    // the shipped example needs ODC_DATABASE_URL, which no test sets
    assertThat(System.getenv("ODC_DATABASE_URL")).isNull();
    assertThatThrownBy(() -> load(Path.of("config.yml").toAbsolutePath().toString()))
        .isInstanceOf(UndefinedEnvironmentVariableException.class)
        .hasMessageContaining("ODC_DATABASE_URL");
  }

  @Test
  void aMissingRequiredSettingStopsStartUpNamingIt(@TempDir Path dir) throws Exception {
    String withoutIssuer =
        Files.readString(Path.of(ResourceHelpers.resourceFilePath("test-config.yml")))
            .replaceAll("(?m)^  issuer: .*$", "");
    Path file = dir.resolve("no-issuer.yml");
    Files.writeString(file, withoutIssuer);
    assertThatThrownBy(() -> load(file.toString()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("oidc.issuer");
  }

  @Test
  void theTestConfigurationIsComplete() throws Exception {
    ApiConfiguration config = load(ResourceHelpers.resourceFilePath("test-config.yml"));
    assertThat(config.getOidc().usernameClaims)
        .containsExactly("preferred_username", "email", "sub");
    assertThat(config.getOidc().adminGroups).containsExactly("odc-admins");
    assertThat(config.getGpuTypes()).extracting(t -> t.name).containsExactly("h100", "t4");
    assertThat(config.getLimits().maxDisks).isEqualTo(2);
    assertThat(config.getMaxRequestSize().toKibibytes()).isEqualTo(16);
  }

  @Test
  void unknownSettingsAreRefused(@TempDir Path dir) throws Exception {
    String typo =
        Files.readString(Path.of(ResourceHelpers.resourceFilePath("test-config.yml")))
            + "\nmaxDiskz: 3\n";
    Path file = dir.resolve("typo.yml");
    Files.writeString(file, typo);
    assertThatThrownBy(() -> load(file.toString()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("maxDiskz");
  }
}
