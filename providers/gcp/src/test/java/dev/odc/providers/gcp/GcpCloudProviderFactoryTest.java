package dev.odc.providers.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.providers.CloudProviderFactory;
import dev.odc.providers.ProviderConfigurationException;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.validation.BaseValidator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code type: gcp} as Dropwizard parses and validates it at start-up. */
class GcpCloudProviderFactoryTest {

  private static CloudProviderFactory parse(String yaml) throws Exception {
    return new YamlConfigurationFactory<>(
            CloudProviderFactory.class,
            BaseValidator.newValidator(),
            Jackson.newObjectMapper(),
            "dw")
        .build(
            path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "config.yml");
  }

  @Test
  void yamlSelectsTheGcpBackend() throws Exception {
    CloudProviderFactory factory = parse("type: gcp\nproject: p1\nregion: us-central1\n");
    assertThat(factory).isInstanceOf(GcpCloudProviderFactory.class);
    assertThat(((GcpCloudProviderFactory) factory).getDefaultDiskType()).isEqualTo("pd-balanced");
  }

  @Test
  void missingProjectFailsStartUpNamingTheSetting() {
    assertThatThrownBy(() -> parse("type: gcp\nregion: us-central1\n"))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("project is required, for example 'project: my-project'");
    assertThatThrownBy(() -> parse("type: gcp\nproject: p1\n"))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("region is required");
  }

  @Test
  void programmaticValidationNamesTheSetting() {
    assertThatThrownBy(() -> new GcpCloudProviderFactory().setRegion("us-central1").build())
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("cloud.project")
        .hasMessageContaining("my-project");
    assertThatThrownBy(
            () ->
                new GcpCloudProviderFactory().setProject("p").setRegion("us-central1-a").validate())
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("cloud.region")
        .hasMessageContaining("us-central1-a");
  }
}
