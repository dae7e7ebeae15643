package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.deploy.Chart.Profile;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json turns a wrong value into an install-time error that names the value. */
class SchemaTest {

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "cloud.provider|azure|at '/cloud/provider': value must be one of 'aws', 'gcp', 'custom'",
        "database.mode|cloudsql|at '/database/mode': value must be one of 'external', 'bundled'",
        "gpuTypes[0].gpusPerNode|0|at '/gpuTypes/0/gpusPerNode'",
        "gpuTypes[0].name|A100 GPU|at '/gpuTypes/0/name'",
        "oidc.issuer|http://insecure.example.com|at '/oidc/issuer'",
        "processor.replicas|-1|at '/processor/replicas'",
        "namespaces.reservations|Odc_Reservations|at '/namespaces/reservations'",
        "storage.reclaimPolicy|Recycle|at '/storage/reclaimPolicy'",
        "image.pullPolicy|Sometimes|at '/image/pullPolicy'",
        "logging.level|VERBOSE|at '/logging/level'",
        "serviceMonitor.interval|often|at '/serviceMonitor/interval'",
      })
  void rejectsABadValueNamingIt(String key, String value, String named) {
    assertThatThrownBy(() -> Chart.template(Profile.DEFAULT, Map.of(key, value)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(named);
  }

  @Test
  void rejectsAMisspeltKey() {
    assertThatThrownBy(() -> Chart.template(Profile.DEFAULT, Map.of("processor.replica", "3")))
        .hasMessageContaining("processor")
        .hasMessageContaining("replica");
  }

  @Test
  void externalDatabaseNeedsAUrlAndASecret() {
    assertThatThrownBy(() -> Chart.template(Profile.DEFAULT, Map.of("database.mode", "external")))
        .hasMessageContaining("database")
        .hasMessageContaining("url");
  }

  @Test
  void awsNeedsARegionAndAWellFormedRole() {
    assertThatThrownBy(() -> Chart.template(Profile.DEFAULT, Map.of("cloud.provider", "aws")))
        .hasMessageContaining("region");
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("cloud.aws.roleArn", "odc-services");
    assertThatThrownBy(() -> Chart.template(Profile.EKS, sets)).hasMessageContaining("roleArn");
  }

  @Test
  void gcpNeedsAProjectAndRegion() {
    assertThatThrownBy(() -> Chart.template(Profile.DEFAULT, Map.of("cloud.provider", "gcp")))
        .hasMessageContaining("project");
  }

  @Test
  void customStorageClassNeedsAProvisioner() {
    assertThatThrownBy(
            () -> Chart.template(Profile.DEFAULT, Map.of("storage.createStorageClass", "true")))
        .hasMessageContaining("storage.custom.provisioner");
  }

  @Test
  void acceptsTheSameSettingsWhenTheyAreRight() {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("storage.createStorageClass", "true");
    sets.put("storage.createVolumeSnapshotClass", "true");
    sets.put("storage.custom.provisioner", "rook-ceph.rbd.csi.ceph.com");
    sets.put("processor.replicas", "3");

    assertThat(Chart.template(Profile.DEFAULT, sets))
        .contains("provisioner: rook-ceph.rbd.csi.ceph.com")
        .contains("driver: rook-ceph.rbd.csi.ceph.com");
  }
}
