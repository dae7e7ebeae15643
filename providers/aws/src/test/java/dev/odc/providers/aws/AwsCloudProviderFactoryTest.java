package dev.odc.providers.aws;

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

/** {@code type: aws} as Dropwizard parses and validates it at start-up. */
class AwsCloudProviderFactoryTest {

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
  void yamlSelectsTheAwsBackend() throws Exception {
    CloudProviderFactory factory =
        parse("type: aws\nregion: eu-west-1\nmaxAttempts: 3\napiCallTimeout: PT20S\n");
    assertThat(factory).isInstanceOf(AwsCloudProviderFactory.class);
    AwsCloudProviderFactory aws = (AwsCloudProviderFactory) factory;
    assertThat(aws.getRegion()).isEqualTo("eu-west-1");
    assertThat(aws.getMaxAttempts()).isEqualTo(3);
    assertThat(aws.getApiCallTimeout()).hasSeconds(20);
    assertThat(aws.getDefaultVolumeType()).isEqualTo("gp3");
  }

  @Test
  void missingRegionFailsStartUpNamingTheSetting() {
    assertThatThrownBy(() -> parse("type: aws\n"))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("region is required, for example 'region: us-east-1'");
  }

  @Test
  void programmaticValidationNamesTheSetting() {
    assertThatThrownBy(() -> new AwsCloudProviderFactory().build())
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("cloud.region")
        .hasMessageContaining("us-east-1");
    assertThatThrownBy(() -> new AwsCloudProviderFactory().setRegion("mars-north-1").validate())
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("mars-north-1");
    assertThatThrownBy(
            () ->
                new AwsCloudProviderFactory()
                    .setRegion("us-east-1")
                    .setAccessKeyId("AKIA")
                    .validate())
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("cloud.secretAccessKey");
    assertThatThrownBy(
            () ->
                new AwsCloudProviderFactory()
                    .setRegion("us-east-1")
                    .setEndpoint("not a url")
                    .validate())
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("cloud.endpoint");
  }

  @Test
  void toStringHidesTheSecret() {
    AwsCloudProviderFactory factory =
        new AwsCloudProviderFactory()
            .setRegion("us-east-1")
            .setAccessKeyId("AKIAEXAMPLE")
            .setSecretAccessKey("wJalrXUtnFEMI-secret");
    assertThat(factory.toString()).doesNotContain("wJalrXUtnFEMI-secret");
  }
}
