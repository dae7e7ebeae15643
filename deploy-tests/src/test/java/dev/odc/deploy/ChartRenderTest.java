package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** helm lint and helm template (through helm-java) for the default, EKS and GKE values. */
class ChartRenderTest {

  /**
   * The only kinds without a fabric8 model class on this classpath: CRDs, checked by apiVersion.
   */
  private static final Map<String, String> CUSTOM_KINDS =
      Map.of(
          "VolumeSnapshotClass", "snapshot.storage.k8s.io/v1",
          "ServiceMonitor", "monitoring.coreos.com/v1");

  @ParameterizedTest
  @EnumSource(Profile.class)
  void lintsCleanly(Profile profile, @TempDir Path scratch) {
    LintResult result = Chart.lint(profile, scratch);

    assertThat(result.isFailed()).as("lint of %s: %s", profile, result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void everyManifestParsesIntoATypedModelObject(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));

    assertThat(objects).hasSizeGreaterThan(25);
    Set<String> identities = new HashSet<>();
    for (HasMetadata object : objects) {
      String identity =
          object.getKind()
              + "/"
              + object.getMetadata().getNamespace()
              + "/"
              + object.getMetadata().getName();
      assertThat(identities.add(identity)).as("duplicate %s", identity).isTrue();
      if (object instanceof GenericKubernetesResource generic) {
        assertThat(CUSTOM_KINDS)
            .as("untyped kind %s", generic.getKind())
            .containsKey(generic.getKind());
        assertThat(generic.getApiVersion()).isEqualTo(CUSTOM_KINDS.get(generic.getKind()));
      }
      assertThat(object.getMetadata().getLabels())
          .as(identity)
          .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
          .containsEntry("app.kubernetes.io/part-of", "odc");
    }
  }

  @Test
  void optionalObjectsFollowTheirSwitches() {
    List<HasMetadata> defaults = Chart.parse(Chart.template(Profile.DEFAULT));
    assertThat(defaults)
        .extracting(HasMetadata::getKind)
        .doesNotContain("Ingress", "ServiceMonitor", "StorageClass", "VolumeSnapshotClass")
        .contains("StatefulSet");

    List<HasMetadata> eks = Chart.parse(Chart.template(Profile.EKS));
    assertThat(eks)
        .extracting(HasMetadata::getKind)
        .contains("Ingress", "ServiceMonitor", "StorageClass", "VolumeSnapshotClass")
        .doesNotContain("StatefulSet");

    List<HasMetadata> noPdb =
        Chart.parse(
            Chart.template(
                Profile.DEFAULT,
                Map.of(
                    "processor.podDisruptionBudget.enabled", "false",
                    "migrations.enabled", "false")));
    assertThat(noPdb)
        .filteredOn(o -> o.getKind().equals("PodDisruptionBudget"))
        .extracting(o -> o.getMetadata().getName())
        .containsExactlyInAnyOrder("odc-api-service", "odc-cronjobs");
    assertThat(noPdb).extracting(HasMetadata::getKind).doesNotContain("Job");
  }
}
