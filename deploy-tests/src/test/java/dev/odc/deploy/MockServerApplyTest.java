package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.deploy.Chart.Profile;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The rendered manifests are accepted by an API server (fabric8's mock server in CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class MockServerApplyTest {

  /** Custom resources the chart may render, with their scope as the API server declares it. */
  private static final Map<String, ResourceDefinitionContext> CUSTOM_RESOURCES =
      Map.of(
          "VolumeSnapshotClass",
          new ResourceDefinitionContext.Builder()
              .withGroup("snapshot.storage.k8s.io")
              .withVersion("v1")
              .withKind("VolumeSnapshotClass")
              .withPlural("volumesnapshotclasses")
              .withNamespaced(false)
              .build(),
          "ServiceMonitor",
          new ResourceDefinitionContext.Builder()
              .withGroup("monitoring.coreos.com")
              .withVersion("v1")
              .withKind("ServiceMonitor")
              .withPlural("servicemonitors")
              .withNamespaced(true)
              .build());

  // An instance field: the extension starts a fresh, empty API server for every profile.
  KubernetesClient client;

  @ParameterizedTest
  @EnumSource(Profile.class)
  void everyManifestIsCreatedAndReadBack(Profile profile) {
    List<HasMetadata> objects = Chart.parse(Chart.template(profile));

    for (HasMetadata object : objects) {
      HasMetadata created = create(object);
      assertThat(created.getMetadata().getUid()).as(describe(object)).isNotBlank();
    }

    for (HasMetadata object : objects) {
      HasMetadata stored = read(object);
      assertThat(stored).as(describe(object)).isNotNull();
      assertThat(stored.getMetadata().getLabels()).isEqualTo(object.getMetadata().getLabels());
    }
    Deployment processor =
        client
            .apps()
            .deployments()
            .inNamespace(Chart.NAMESPACE)
            .withName("odc-reservation-processor")
            .get();
    assertThat(processor.getSpec().getReplicas()).isEqualTo(2);
    assertThat(client.rbac().roles().inNamespace("odc-reservations").list().getItems())
        .extracting(Role::getMetadata)
        .extracting(m -> m.getName())
        .containsExactlyInAnyOrder("odc-reservation-processor", "odc-cronjobs");
  }

  private HasMetadata create(HasMetadata object) {
    if (object instanceof GenericKubernetesResource generic) {
      ResourceDefinitionContext context = context(generic);
      var resources = client.genericKubernetesResources(context);
      return context.isNamespaceScoped()
          ? resources.inNamespace(namespaceOf(object)).resource(generic).create()
          : resources.resource(generic).create();
    }
    if (object instanceof Namespaced) {
      return client.resource(object).inNamespace(namespaceOf(object)).create();
    }
    return client.resource(object).create();
  }

  private HasMetadata read(HasMetadata object) {
    String name = object.getMetadata().getName();
    if (object instanceof GenericKubernetesResource generic) {
      ResourceDefinitionContext context = context(generic);
      var resources = client.genericKubernetesResources(context);
      return context.isNamespaceScoped()
          ? resources.inNamespace(namespaceOf(object)).withName(name).get()
          : resources.withName(name).get();
    }
    if (object instanceof Namespaced) {
      return client.resource(object).inNamespace(namespaceOf(object)).get();
    }
    return client.resource(object).get();
  }

  private static ResourceDefinitionContext context(GenericKubernetesResource generic) {
    ResourceDefinitionContext context = CUSTOM_RESOURCES.get(generic.getKind());
    assertThat(context).as("unexpected custom resource %s", generic.getKind()).isNotNull();
    assertThat(generic.getApiVersion()).isEqualTo(context.getGroup() + "/" + context.getVersion());
    return context;
  }

  /** Objects without a namespace go to the release namespace, as `helm install -n odc` does. */
  private static String namespaceOf(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return namespace == null ? Chart.NAMESPACE : namespace;
  }

  private static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }
}
