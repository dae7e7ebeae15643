package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code database.external.runtimeSecret} the services connect as a role that owns nothing (it
 * cannot touch audit rows or switch the audit triggers off) while the migration Job keeps the
 * owner's credentials.
 */
class DatabaseRoleTest {
  private static String secretOf(Container container, String variable) {
    EnvVar env =
        container.getEnv().stream()
            .filter(e -> e.getName().equals(variable))
            .findFirst()
            .orElseThrow();
    return env.getValueFrom().getSecretKeyRef().getName();
  }

  @Test
  void servicesRunAsTheRuntimeRoleAndMigrationsAsTheOwner() {
    List<HasMetadata> objects =
        Chart.parse(
            Chart.template(
                Profile.EKS, Map.of("database.external.runtimeSecret", "odc-db-runtime")));
    for (Deployment deployment : Chart.ofType(objects, Deployment.class)) {
      Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(secretOf(container, "ODC_DATABASE_USER")).isEqualTo("odc-db-runtime");
      assertThat(secretOf(container, "ODC_DATABASE_PASSWORD")).isEqualTo("odc-db-runtime");
    }
    Job migrate = Chart.ofType(objects, Job.class).get(0);
    Container container = migrate.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(secretOf(container, "ODC_DATABASE_USER")).isNotEqualTo("odc-db-runtime");
  }

  @Test
  void withoutARuntimeSecretEveryoneUsesTheOwnersSecret() {
    List<HasMetadata> objects = Chart.parse(Chart.template(Profile.EKS));
    Job migrate = Chart.ofType(objects, Job.class).get(0);
    String owner =
        secretOf(
            migrate.getSpec().getTemplate().getSpec().getContainers().get(0), "ODC_DATABASE_USER");
    for (Deployment deployment : Chart.ofType(objects, Deployment.class)) {
      assertThat(
              secretOf(
                  deployment.getSpec().getTemplate().getSpec().getContainers().get(0),
                  "ODC_DATABASE_USER"))
          .isEqualTo(owner);
    }
  }
}
