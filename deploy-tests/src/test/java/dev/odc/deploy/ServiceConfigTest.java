package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.api.ApiConfiguration;
import dev.odc.cronjobs.CronjobsConfiguration;
import dev.odc.deploy.Chart.Profile;
import dev.odc.processor.ProcessorConfiguration;
import dev.odc.providers.aws.AwsCloudProviderFactory;
import dev.odc.providers.gcp.GcpCloudProviderFactory;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The config.yml the chart renders binds to each service's real configuration class, the way `java
 * -jar app.jar server /etc/odc/config.yml` reads it: Dropwizard rejects unknown keys and invalid
 * values, so a drift between chart and service fails here instead of in a crash loop.
 */
class ServiceConfigTest {

  /** What the Deployments pass as environment variables (secrets come from a Secret). */
  private static final Map<String, String> ENV =
      Map.of(
          "ODC_DATABASE_URL", "jdbc:postgresql://db.example.internal:5432/odc",
          "ODC_DATABASE_USER", "odc",
          "ODC_DATABASE_PASSWORD", "not-a-real-password",
          "ODC_POD_NAME", "odc-cronjobs-7d9f8-abcde");

  @ParameterizedTest
  @EnumSource(Profile.class)
  void apiServiceAcceptsItsConfiguration(Profile profile) throws Exception {
    ApiConfiguration config =
        load(ApiConfiguration.class, Chart.parse(Chart.template(profile)), "odc-api-service");

    assertThat(config.getDatabase().getUrl()).isEqualTo(ENV.get("ODC_DATABASE_URL"));
    assertThat(config.getOidc().adminGroups).containsExactly("odc-admins");
    assertThat(config.getOidc().issuer).startsWith("https://");
    assertThat(config.getGpuTypes()).isNotEmpty();
    // the web console: Secure cookies, and behind the EKS ingress the address browsers use
    assertThat(config.getConsole().enabled).isTrue();
    assertThat(config.getConsole().secureCookie).isTrue();
    if (profile == Profile.EKS) {
      assertThat(config.getConsole().publicUrl).isEqualTo("https://odc.example.com");
    }
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void migrationHookAcceptsItsConfiguration(Profile profile) throws Exception {
    ApiConfiguration config =
        load(ApiConfiguration.class, Chart.parse(Chart.template(profile)), "odc-migrate");

    assertThat(config.getDatabase().getPassword()).isEqualTo(ENV.get("ODC_DATABASE_PASSWORD"));
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void cronjobsAcceptsItsConfiguration(Profile profile) throws Exception {
    CronjobsConfiguration config =
        load(CronjobsConfiguration.class, Chart.parse(Chart.template(profile)), "odc-cronjobs");

    assertThat(config.getKubernetes().getNamespace()).isEqualTo("odc-reservations");
    assertThat(config.getScheduler().getInstanceId()).isEqualTo(ENV.get("ODC_POD_NAME"));
    // the cloud backend the profile's provider names, bound from the chart's cloud: block
    switch (profile) {
      case DEFAULT -> assertThat(config.getCloud()).isEmpty();
      case EKS -> assertThat(config.getCloud()).get().isInstanceOf(AwsCloudProviderFactory.class);
      case GKE -> assertThat(config.getCloud()).get().isInstanceOf(GcpCloudProviderFactory.class);
    }
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void reservationProcessorAcceptsItsConfiguration(Profile profile) throws Exception {
    ProcessorConfiguration config =
        load(
            ProcessorConfiguration.class,
            Chart.parse(Chart.template(profile)),
            "odc-reservation-processor");

    assertThat(config.getKubernetes().getNamespace()).isEqualTo("odc-reservations");
    assertThat(config.getGpuTypeLabel()).isEqualTo("odc.dev/gpu-type");
    assertThat(config.getWorkerId()).isEqualTo(ENV.get("ODC_POD_NAME"));
  }

  /** Binds the config.yml of a rendered ConfigMap to a service's configuration class. */
  static <T extends Configuration> T load(
      Class<T> type, List<HasMetadata> objects, String configMap) throws Exception {
    String yaml = Chart.named(objects, ConfigMap.class, configMap).getData().get("config.yml");
    ObjectMapper mapper = Jackson.newObjectMapper();
    YamlConfigurationFactory<T> factory =
        new YamlConfigurationFactory<>(type, Validators.newValidator(), mapper, "dw");
    StringSubstitutor substitutor = new StringSubstitutor(ENV);
    substitutor.setEnableUndefinedVariableException(true);
    ConfigurationSourceProvider source =
        new SubstitutingSourceProvider(
            path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), substitutor);
    return factory.build(source, "/etc/odc/config.yml");
  }
}
