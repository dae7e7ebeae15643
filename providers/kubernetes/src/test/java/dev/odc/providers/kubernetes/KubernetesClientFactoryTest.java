package dev.odc.providers.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.providers.ProviderConfigurationException;
import io.dropwizard.jackson.Jackson;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class KubernetesClientFactoryTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void defaultsAndYaml() throws Exception {
    KubernetesClientFactory factory =
        Jackson.newObjectMapper()
            .readValue(
                "{\"masterUrl\":\"https://10.0.0.1:6443\",\"trustCerts\":true}",
                KubernetesClientFactory.class);
    assertThat(factory.getNamespace()).isEqualTo("odc-reservations");
    Config config = factory.config();
    assertThat(config.getMasterUrl()).startsWith("https://10.0.0.1:6443");
    assertThat(config.isTrustCerts()).isTrue();
    assertThat(config.getNamespace()).isEqualTo("odc-reservations");
  }

  @Test
  void kubeconfigWithContextReachesTheServer(@TempDir Path dir) throws Exception {
    String url = client.getMasterUrl().toString();
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: other
          cluster: {server: "https://192.0.2.1:6443"}
        - name: mock
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: u
          user: {token: abc}
        contexts:
        - name: other
          context: {cluster: other, user: u}
        - name: test
          context: {cluster: mock, user: u, namespace: ignored}
        current-context: other
        """
            .formatted(url));
    KubernetesClientFactory factory =
        new KubernetesClientFactory()
            .setKubeconfig(kubeconfig.toString())
            .setContext("test")
            .setNamespace("gpu-dev");
    assertThat(factory.config().getMasterUrl()).startsWith(url.replaceAll("/$", ""));
    try (KubernetesClient built = factory.build()) {
      assertThat(built.getNamespace()).isEqualTo("gpu-dev");
      built
          .configMaps()
          .inNamespace("gpu-dev")
          .resource(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("probe")
                  .endMetadata()
                  .build())
          .create();
      assertThat(client.configMaps().inNamespace("gpu-dev").withName("probe").get()).isNotNull();
    }
  }

  @Test
  void unreadableKubeconfigNamesTheSetting(@TempDir Path dir) {
    KubernetesClientFactory factory =
        new KubernetesClientFactory().setKubeconfig(dir.resolve("missing").toString());
    assertThatThrownBy(factory::build)
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("kubernetes.kubeconfig");
    assertThatThrownBy(() -> new KubernetesClientFactory().setNamespace(" ").config())
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessageContaining("kubernetes.namespace");
  }
}
