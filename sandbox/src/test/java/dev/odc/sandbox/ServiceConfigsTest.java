package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.api.ApiConfiguration;
import dev.odc.cronjobs.CronjobsConfiguration;
import dev.odc.processor.ProcessorConfiguration;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated YAML is what each service's own configuration class accepts and validates. */
class ServiceConfigsTest {
  @TempDir Path dir;

  private Services.Settings settings(Optional<String> masterUrl) {
    return new Services.Settings(
        new DatabaseUrl("jdbc:postgresql://127.0.0.1:5432/odc", "postgres", "s3cret"),
        new Issuer("http://127.0.0.1:7081/odc", "gpu-dev", "odc-api", true),
        7080,
        dir.resolve("kubeconfig"),
        Optional.of("kind-odc"),
        masterUrl,
        "odc-reservations",
        masterUrl.isPresent(),
        NodePools.parse("h100=2x8,l4=4x4"),
        dir,
        dir.resolve("logs/odc.log"));
  }

  private <C extends Configuration> C load(Class<C> type, Path file) throws Exception {
    return new YamlConfigurationFactory<>(
            type, Validators.newValidator(), Jackson.newObjectMapper(), "dw")
        .build(file.toFile());
  }

  @Test
  void apiConfigurationTrustsTheIssuerAndDefinesTheSimulatedGpuTypes() throws Exception {
    Services.Settings s = settings(Optional.of("http://127.0.0.1:7082"));
    Path file = ServiceConfigs.write(dir, "api-service.yml", ServiceConfigs.api(s));

    ApiConfiguration config = load(ApiConfiguration.class, file);
    assertThat(config.getOidc().issuer).isEqualTo("http://127.0.0.1:7081/odc");
    assertThat(config.getOidc().audience).isEqualTo("odc-api");
    assertThat(config.getOidc().clientId).isEqualTo("gpu-dev");
    assertThat(config.getOidc().adminGroups).containsExactly("odc-admins");
    assertThat(config.getDatabase().getUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/odc");
    assertThat(config.isMigrateOnStart()).isFalse();
    assertThat(config.getGpuTypes())
        .extracting(t -> t.name + "/" + t.nodeLabelValue + "/" + t.gpusPerNode)
        .containsExactly("h100/h100/8", "l4/l4/4");
    // A password in the file: only its owner may read it.
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void processorTalksToTheSimulatedClusterWithQuickTurns() throws Exception {
    Services.Settings s = settings(Optional.of("http://127.0.0.1:7082"));
    Path file = ServiceConfigs.write(dir, "processor.yml", ServiceConfigs.processor(s));

    ProcessorConfiguration config = load(ProcessorConfiguration.class, file);
    assertThat(config.getKubernetes().getMasterUrl()).isEqualTo("http://127.0.0.1:7082");
    assertThat(config.getKubernetes().getKubeconfig()).isNull();
    assertThat(config.getKubernetes().getNamespace()).isEqualTo("odc-reservations");
    assertThat(config.getSweepInterval().toSeconds()).isEqualTo(2);
    assertThat(config.getWorkerId()).isEqualTo("sandbox");
  }

  @Test
  void processorUsesTheKubeconfigAndContextOfARealCluster() throws Exception {
    Services.Settings s = settings(Optional.empty());
    Path file = ServiceConfigs.write(dir, "processor.yml", ServiceConfigs.processor(s));

    ProcessorConfiguration config = load(ProcessorConfiguration.class, file);
    assertThat(config.getKubernetes().getMasterUrl()).isNull();
    assertThat(config.getKubernetes().getKubeconfig())
        .isEqualTo(dir.resolve("kubeconfig").toString());
    assertThat(config.getKubernetes().getContext()).isEqualTo("kind-odc");
  }

  @Test
  void cronjobsWarnEarlyAndCountAvailabilityOften() throws Exception {
    Services.Settings s = settings(Optional.of("http://127.0.0.1:7082"));
    Path file = ServiceConfigs.write(dir, "cronjobs.yml", ServiceConfigs.cronjobs(s));

    CronjobsConfiguration config = load(CronjobsConfiguration.class, file);
    assertThat(config.getKubernetes().getMasterUrl()).isEqualTo("http://127.0.0.1:7082");
    assertThat(config.getScheduler().getInstanceId()).isEqualTo("sandbox");
    assertThat(config.getJobs().getAvailability().getInterval().toSeconds()).isEqualTo(5);
    assertThat(config.getJobs().getExpiry().settings().warningMinutes()).containsExactly(15, 5, 1);
  }
}
