package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the rendered workloads promise an operator: replicas, probes, security, configuration. */
class WorkloadTest {

  private static final Map<String, Integer> REPLICAS =
      Map.of("api-service", 2, "reservation-processor", 2, "cronjobs", 2);

  @ParameterizedTest
  @EnumSource(Profile.class)
  void deploysTheThreeServicesWithProbesOnTheAdminPort(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));

    assertThat(Chart.ofType(objects, Deployment.class)).hasSize(3);
    REPLICAS.forEach(
        (component, replicas) -> {
          Deployment deployment = Chart.named(objects, Deployment.class, "odc-" + component);
          assertThat(deployment.getSpec().getReplicas()).as(component).isEqualTo(replicas);
          Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
          assertThat(container.getArgs())
              .containsExactly(
                  "-jar", "/app/" + component + ".jar", "server", "/etc/odc/config.yml");
          assertThat(container.getPorts())
              .extracting(p -> p.getName() + ":" + p.getContainerPort())
              .containsExactlyInAnyOrder("http:8080", "admin:8081");
          assertThat(container.getReadinessProbe().getHttpGet().getPath())
              .isEqualTo("/healthcheck");
          assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
              .isEqualTo("admin");
          assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal())
              .isEqualTo("admin");
          assertThat(container.getStartupProbe()).isNotNull();
          assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
          assertThat(container.getResources().getLimits()).containsKey("memory");

          PodDisruptionBudget pdb =
              Chart.named(objects, PodDisruptionBudget.class, "odc-" + component);
          assertThat(pdb.getSpec().getSelector().getMatchLabels())
              .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
          assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
              .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        });
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void everyPodRunsNonRootOnAReadOnlyRootWithoutCapabilities(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));
    List<PodSpec> pods = podSpecs(objects);

    assertThat(pods).hasSizeGreaterThanOrEqualTo(4);
    for (PodSpec pod : pods) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType())
          .isEqualTo("RuntimeDefault");
      for (Container container : pod.getContainers()) {
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem())
            .as(container.getName())
            .isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop())
            .containsExactly("ALL");
        assertThat(container.getVolumeMounts())
            .as("a read-only root needs a writable /tmp")
            .anyMatch(m -> m.getMountPath().equals("/tmp"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void secretsReachContainersOnlyThroughSecretReferences(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));

    for (PodSpec pod : podSpecs(objects)) {
      for (Container container : pod.getContainers()) {
        for (EnvVar env : container.getEnv()) {
          if (env.getName().matches(".*(PASSWORD|SECRET|TOKEN|KEY).*")) {
            assertThat(env.getValue()).as(env.getName()).isNull();
            assertThat(env.getValueFrom().getSecretKeyRef()).as(env.getName()).isNotNull();
          }
        }
      }
    }
    for (ConfigMap configMap : Chart.ofType(objects, ConfigMap.class)) {
      String config = configMap.getData().get("config.yml");
      assertThat(config).contains("password: ${ODC_DATABASE_PASSWORD}");
    }
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void theApiServiceHasNoKubernetesCredentials(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));
    Deployment api = Chart.named(objects, Deployment.class, "odc-api-service");

    assertThat(api.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(
            Chart.named(objects, ServiceAccount.class, "odc-api-service")
                .getAutomountServiceAccountToken())
        .isFalse();
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void configurationCarriesTheValues(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));

    JsonNode api = config(objects, "odc-api-service");
    assertThat(api.at("/server/adminConnectors/0/port").asInt()).isEqualTo(8081);
    assertThat(api.at("/server/applicationConnectors/0/port").asInt()).isEqualTo(8080);
    assertThat(api.at("/oidc/adminGroups/0").asText()).isEqualTo("odc-admins");
    assertThat(api.at("/migrateOnStart").asBoolean()).as("the hook Job migrates").isFalse();
    assertThat(api.at("/oidc/groupsClaim").asText()).isEqualTo("groups");
    assertThat(api.at("/gpuTypes").size()).isGreaterThanOrEqualTo(1);

    JsonNode processor = config(objects, "odc-reservation-processor");
    assertThat(processor.at("/kubernetes/namespace").asText()).isEqualTo("odc-reservations");
    assertThat(processor.at("/gpuTypeLabel").asText()).isEqualTo("odc.dev/gpu-type");
    assertThat(processor.at("/storage/volumeSnapshotClass").asText()).isNotBlank();

    JsonNode cronjobs = config(objects, "odc-cronjobs");
    assertThat(cronjobs.at("/scheduler/instanceId").asText()).isEqualTo("${ODC_POD_NAME}");
    assertThat(cronjobs.at("/kubernetes/namespace").asText()).isEqualTo("odc-reservations");
    assertThat(cronjobs.at("/server/adminConnectors/0/port").asInt()).isEqualTo(8081);
  }

  @Test
  void migrationsRunBeforeInstallAndUpgradeAgainstAnExternalDatabase() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.EKS));
    Job job = Chart.named(objects, Job.class, "odc-migrate");

    assertThat(job.getMetadata().getAnnotations())
        .containsEntry(Chart.HOOK_PREFIX, "pre-install,pre-upgrade");
    Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getArgs())
        .containsExactly("-jar", "/app/api-service.jar", "migrate", "/etc/odc/config.yml");
    // the heap follows the Job's memory limit, and the read-only root keeps temp files in /tmp
    assertThat(container.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
              assertThat(e.getValue())
                  .isEqualTo(
                      "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp");
            });
    assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    // The hook runs before the release's ordinary ConfigMaps exist: it must bring its own.
    String configMapName =
        job.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getConfigMap() != null)
            .findFirst()
            .orElseThrow()
            .getConfigMap()
            .getName();
    ConfigMap config = Chart.named(objects, ConfigMap.class, configMapName);
    assertThat(config.getMetadata().getAnnotations())
        .containsEntry(Chart.HOOK_PREFIX, "pre-install,pre-upgrade");
    assertThat(
            Integer.parseInt(
                config.getMetadata().getAnnotations().get(Chart.HOOK_PREFIX + "-weight")))
        .isLessThan(
            Integer.parseInt(
                job.getMetadata().getAnnotations().get(Chart.HOOK_PREFIX + "-weight")));
  }

  @Test
  void withTheBundledDatabaseMigrationsRunAfterInstallAndTheDatabaseIsInTheRelease() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.DEFAULT));

    assertThat(Chart.named(objects, Job.class, "odc-migrate").getMetadata().getAnnotations())
        .containsEntry(Chart.HOOK_PREFIX, "post-install,pre-upgrade");
    StatefulSet postgres = Chart.named(objects, StatefulSet.class, "odc-postgresql");
    assertThat(postgres.getSpec().getVolumeClaimTemplates()).hasSize(1);
    Deployment api = Chart.named(objects, Deployment.class, "odc-api-service");
    EnvVar url =
        api.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().equals("ODC_DATABASE_URL"))
            .findFirst()
            .orElseThrow();
    assertThat(url.getValue()).isEqualTo("jdbc:postgresql://odc-postgresql.odc.svc:5432/odc");
  }

  @Test
  void eksUsesEbsGp3AndIrsaOnTheServicesThatCallAws() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.EKS));

    StorageClass storageClass = Chart.named(objects, StorageClass.class, "odc-gp3");
    assertThat(storageClass.getProvisioner()).isEqualTo("ebs.csi.aws.com");
    assertThat(storageClass.getParameters()).containsEntry("type", "gp3");
    assertThat(storageClass.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
    GenericKubernetesResource snapshotClass =
        Chart.named(objects, GenericKubernetesResource.class, "odc-ebs-snapshots");
    assertThat(snapshotClass.getAdditionalProperties()).containsEntry("driver", "ebs.csi.aws.com");
    assertThat(irsaOf(objects, "odc-reservation-processor"))
        .isEqualTo("arn:aws:iam::123456789012:role/odc-services");
    assertThat(irsaOf(objects, "odc-cronjobs"))
        .isEqualTo("arn:aws:iam::123456789012:role/odc-services");
    assertThat(irsaOf(objects, "odc-api-service")).isNull();
    assertThat(Chart.ofType(objects, Ingress.class)).hasSize(1);
  }

  @Test
  void gkeUsesPdBalancedAndWorkloadIdentity() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.GKE));

    StorageClass storageClass = Chart.named(objects, StorageClass.class, "odc-pd-balanced");
    assertThat(storageClass.getProvisioner()).isEqualTo("pd.csi.storage.gke.io");
    assertThat(storageClass.getParameters()).containsEntry("type", "pd-balanced");
    for (String account : List.of("odc-reservation-processor", "odc-cronjobs")) {
      assertThat(Chart.named(objects, ServiceAccount.class, account).getMetadata().getAnnotations())
          .containsEntry(
              "iam.gke.io/gcp-service-account", "odc-services@my-project.iam.gserviceaccount.com");
    }
  }

  @Test
  void theReservationsNamespaceOutlivesTheRelease() {
    Namespace namespace =
        Chart.named(
            Chart.parse(Chart.template(Profile.DEFAULT)), Namespace.class, "odc-reservations");

    assertThat(namespace.getMetadata().getAnnotations())
        .containsEntry("helm.sh/resource-policy", "keep");
    assertThat(
            Chart.parse(
                    Chart.template(
                        Profile.DEFAULT, Map.of("namespaces.createReservations", "false")))
                .stream()
                .filter(Namespace.class::isInstance))
        .isEmpty();
  }

  private static String irsaOf(List<HasMetadata> objects, String serviceAccount) {
    Map<String, String> annotations =
        Chart.named(objects, ServiceAccount.class, serviceAccount).getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get("eks.amazonaws.com/role-arn");
  }

  private static JsonNode config(List<HasMetadata> objects, String configMap) {
    return Chart.yaml(Chart.named(objects, ConfigMap.class, configMap).getData().get("config.yml"));
  }

  static List<PodSpec> podSpecs(List<HasMetadata> objects) {
    return Stream.of(
            Chart.ofType(objects, Deployment.class).stream()
                .map(d -> d.getSpec().getTemplate().getSpec()),
            Chart.ofType(objects, StatefulSet.class).stream()
                .map(s -> s.getSpec().getTemplate().getSpec()),
            Chart.ofType(objects, Job.class).stream().map(j -> j.getSpec().getTemplate().getSpec()))
        .flatMap(s -> s)
        .toList();
  }
}
