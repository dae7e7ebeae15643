package dev.odc.providers.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.providers.Capability;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudProviderFactory;
import dev.odc.providers.ProviderConfigurationException;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.testing.AbstractCloudProviderContractTest;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.validation.BaseValidator;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cloud contract for {@code type: custom}: zones from node labels, everything else unsupported.
 */
@EnableKubernetesMockClient(crud = true)
class CustomCloudProviderTest extends AbstractCloudProviderContractTest {
  static KubernetesClient client;

  private CloudProvider provider;

  @BeforeEach
  void setUp() {
    for (String zone : List.of("rack-b", "rack-a", "rack-b")) {
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withGenerateName("gpu-")
                  .addToLabels(StorageFactory.ZONE_TOPOLOGY_KEY, zone)
                  .endMetadata()
                  .build())
          .create();
    }
    provider =
        CustomCloudProviderFactory.forClient(client, StorageFactory.ZONE_TOPOLOGY_KEY, () -> {});
  }

  @AfterEach
  void tearDown() {
    provider.close();
    client.nodes().delete();
  }

  @Override
  protected CloudProvider provider() {
    return provider;
  }

  @Override
  protected String expectedName() {
    return "custom";
  }

  @Override
  protected String missingVolumeId() {
    return "pvc-missing";
  }

  @Override
  protected String missingSnapshotId() {
    return "snapshot-missing";
  }

  @Test
  void zonesComeFromNodeLabels() {
    assertThat(provider.zones()).containsExactly("rack-a", "rack-b");
    assertThat(provider.capabilities()).containsExactly(Capability.ZONES);
  }

  private static CloudProviderFactory parse(String yaml) throws Exception {
    YamlConfigurationFactory<CloudProviderFactory> factory =
        new YamlConfigurationFactory<>(
            CloudProviderFactory.class,
            BaseValidator.newValidator(),
            Jackson.newObjectMapper(),
            "dw");
    return factory.build(
        path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "cloud.yml");
  }

  @Test
  void configuredThroughDropwizardYaml() throws Exception {
    CloudProviderFactory factory = parse("type: custom\nzones: [rack-z, rack-y]\n");
    assertThat(factory).isInstanceOf(CustomCloudProviderFactory.class);
    try (CloudProvider built = factory.build()) {
      assertThat(built.name()).isEqualTo("custom");
      assertThat(built.zones()).containsExactly("rack-y", "rack-z");
    }
  }

  @Test
  void blankZoneFailsNamingTheSetting() throws Exception {
    CloudProviderFactory factory = parse("type: custom\nzones: ['rack-a', ' ']\n");
    assertThatThrownBy(factory::build)
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("cloud.zones")
        .hasMessageContaining("for example");
  }

  @Test
  void unknownTypeIsRejectedByTheConfigFactory() {
    assertThatThrownBy(() -> parse("type: openstack\n"))
        .hasMessageContaining("openstack")
        .satisfies(e -> assertThat(e).isNotInstanceOf(ConfigurationValidationException.class));
  }
}
