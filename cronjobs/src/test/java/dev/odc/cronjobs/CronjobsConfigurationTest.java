package dev.odc.cronjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import dev.odc.cronjobs.scheduler.CronTask;
import dev.odc.cronjobs.snapshots.SnapshotStore;
import dev.odc.database.Database;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.ResourceConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CronjobsConfigurationTest {
  private final ObjectMapper mapper = Json.configure(Jackson.newObjectMapper());
  private final YamlConfigurationFactory<CronjobsConfiguration> factory =
      new YamlConfigurationFactory<>(
          CronjobsConfiguration.class, Validators.newValidator(), mapper, "dw");

  @Test
  void theShippedConfigParsesWithTheDocumentedDefaults() throws Exception {
    CronjobsConfiguration config =
        factory.build(
            new SubstitutingSourceProvider(
                new FileConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)),
            "config.yml");

    assertThat(config.getJobs().getAvailability().getInterval().toJavaDuration())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(config.getJobs().getExpiry().getInterval().toJavaDuration())
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(config.getJobs().getExpiry().settings().warningMinutes()).containsExactly(30, 15, 5);
    assertThat(config.getJobs().getSnapshotRetention().policy().keepNewest()).isEqualTo(3);
    assertThat(config.getJobs().getSnapshotRetention().policy().maxAge())
        .isEqualTo(Duration.ofDays(7));
    assertThat(config.getJobs().getSnapshotRetention().policy().maxDeletionsPerRun()).isEqualTo(10);
    assertThat(config.getJobs().getReconciliation().getInterval().toJavaDuration())
        .isEqualTo(Duration.ofMinutes(15));
    assertThat(config.getKubernetes().getGpuTypeLabel()).isEqualTo("odc.dev/gpu-type");
    assertThat(config.getCloud()).isEmpty();

    SnapshotStore none = s -> {};
    try (var client = new KubernetesClientBuilder().build()) {
      CronjobsApplication.Jobs jobs =
          CronjobsApplication.jobs(
              config,
              Database.jdbi(new org.postgresql.ds.PGSimpleDataSource()),
              client,
              none,
              Clock.systemUTC());
      assertThat(jobs.tasks())
          .extracting(CronTask::name)
          .containsExactly("availability", "expiry", "snapshot-retention", "reconciliation");
      assertThat(jobs.intervals()).containsEntry("snapshot-retention", Duration.ofHours(1));
    }
  }

  @Test
  void aBadValueStopsStartUpNamingTheField() {
    YamlConfigurationFactory<CronjobsConfiguration> f = factory;
    assertThatThrownBy(
            () ->
                f.build(
                    new ResourceConfigurationSourceProvider() {
                      @Override
                      public java.io.InputStream open(String path) {
                        return new java.io.ByteArrayInputStream(
                            "jobs:\n  snapshotRetention:\n    maxDeletionsPerRun: 0\n"
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                      }
                    },
                    "inline.yml"))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("maxDeletionsPerRun");
  }
}
