package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.deploy.Chart.Profile;
import dev.odc.deploy.KubernetesSchema.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every manifest the chart renders passes the official Kubernetes schema (v1.36 models) and the
 * VolumeSnapshot CRD schema, as a real API server would check it on {@code helm install}.
 */
class KubernetesSchemaTest {

  /** The optional parts switched on, so they are checked too. */
  private static final Map<String, Object> EVERYTHING_ON =
      Map.of(
          "serviceMonitor.enabled", "true",
          "apiService.ingress.enabled", "true",
          "apiService.ingress.tlsSecretName", "odc-tls");

  @BeforeAll
  static void needsNode() {
    assumeTrue(KubernetesSchema.available(), "node and npm are needed to validate schemas");
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void everyRenderedManifestPassesTheApiServersSchema(Profile profile) {
    List<JsonNode> documents = Chart.documents(Chart.template(profile, EVERYTHING_ON));

    List<Verdict> verdicts = KubernetesSchema.validate(documents);

    assertThat(verdicts).hasSize(documents.size()).hasSizeGreaterThan(25);
    assertThat(verdicts).filteredOn(v -> !v.valid()).as("invalid manifests").isEmpty();
  }

  /** The check can fail: each kind of mistake a real API server refuses is refused here too. */
  @Test
  void theValidatorRefusesWhatAnApiServerRefuses() {
    List<JsonNode> objects =
        List.of(
            Chart.yaml(
                """
                apiVersion: v1
                kind: Pod
                metadata: {name: ok}
                spec:
                  containers: [{name: c, image: i, ports: [{containerPort: 22}]}]
                """),
            Chart.yaml(
                """
                apiVersion: v1
                kind: Pod
                metadata: {name: port-as-string}
                spec:
                  containers: [{name: c, image: i, ports: [{containerPort: "22"}]}]
                """),
            Chart.yaml(
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: bad-enum}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers: [{name: c, image: i, imagePullPolicy: Sometimes}]
                """),
            Chart.yaml(
                """
                apiVersion: example.com/v1
                kind: Unknown
                metadata: {name: no-schema}
                """));

    List<Verdict> verdicts = KubernetesSchema.validate(objects);

    assertThat(verdicts.get(0).errors()).isEmpty();
    assertThat(verdicts.get(1).errors()).anyMatch(e -> e.contains("containerPort"));
    assertThat(verdicts.get(2).errors()).anyMatch(e -> e.contains("imagePullPolicy"));
    assertThat(verdicts.get(3).errors()).anyMatch(e -> e.contains("no schema known"));
  }

  @Test
  void volumeSnapshotsAreCheckedAgainstTheirCrd() {
    assumeTrue(
        KubernetesSchema.snapshotCrds().isPresent(), "the external-snapshotter CRDs are absent");
    List<JsonNode> objects =
        List.of(
            Chart.yaml(
                """
                apiVersion: snapshot.storage.k8s.io/v1
                kind: VolumeSnapshot
                metadata: {name: ok, namespace: n}
                spec: {source: {persistentVolumeClaimName: home}, volumeSnapshotClassName: csi}
                """),
            Chart.yaml(
                """
                apiVersion: snapshot.storage.k8s.io/v1
                kind: VolumeSnapshot
                metadata: {name: two-sources, namespace: n}
                spec:
                  source: {persistentVolumeClaimName: home, volumeSnapshotContentName: c}
                  volumeSnapshotClassName: ""
                  retain: true
                """));

    List<Verdict> verdicts = KubernetesSchema.validate(objects);

    assertThat(verdicts.get(0).errors()).isEmpty();
    assertThat(verdicts.get(1).errors())
        .anyMatch(e -> e.contains("exactly one of"))
        .anyMatch(e -> e.contains("must not be the empty string"))
        .anyMatch(e -> e.contains("unknown field \"retain\""));
  }
}
