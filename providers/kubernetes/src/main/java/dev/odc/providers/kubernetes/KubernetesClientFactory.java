package dev.odc.providers.kubernetes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.odc.providers.ProviderConfigurationException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.validation.constraints.NotBlank;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How ODC's applications reach the Kubernetes API.
 *
 * <pre>{@code
 * kubernetes:
 *   # all optional: with none set, the in-cluster service account (or ~/.kube/config) is used
 *   masterUrl: https://10.0.0.1:6443
 *   kubeconfig: /etc/odc/kubeconfig
 *   context: my-cluster
 *   namespace: odc-reservations
 *   trustCerts: false
 * }</pre>
 *
 * <p>Precedence: a {@code kubeconfig} file (with {@code context} selecting one of its contexts),
 * else fabric8's auto-configuration (in-cluster service account, {@code KUBECONFIG}, {@code
 * ~/.kube/config}); {@code masterUrl} and {@code trustCerts} override whatever was loaded.
 */
public class KubernetesClientFactory {
  public static final String DEFAULT_NAMESPACE = "odc-reservations";

  private String masterUrl;
  private String kubeconfig;
  private String context;
  @NotBlank private String namespace = DEFAULT_NAMESPACE;
  private boolean trustCerts;

  @JsonProperty
  public String getMasterUrl() {
    return masterUrl;
  }

  @JsonProperty
  public KubernetesClientFactory setMasterUrl(String masterUrl) {
    this.masterUrl = masterUrl;
    return this;
  }

  @JsonProperty
  public String getKubeconfig() {
    return kubeconfig;
  }

  @JsonProperty
  public KubernetesClientFactory setKubeconfig(String kubeconfig) {
    this.kubeconfig = kubeconfig;
    return this;
  }

  @JsonProperty
  public String getContext() {
    return context;
  }

  @JsonProperty
  public KubernetesClientFactory setContext(String context) {
    this.context = context;
    return this;
  }

  /** The namespace reservation objects live in; also the client's default namespace. */
  @JsonProperty
  public String getNamespace() {
    return namespace;
  }

  @JsonProperty
  public KubernetesClientFactory setNamespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  @JsonProperty
  public boolean isTrustCerts() {
    return trustCerts;
  }

  @JsonProperty
  public KubernetesClientFactory setTrustCerts(boolean trustCerts) {
    this.trustCerts = trustCerts;
    return this;
  }

  /** The fabric8 configuration these settings describe, without connecting. */
  public Config config() {
    ProviderConfigurationException.require(namespace, "kubernetes.namespace", DEFAULT_NAMESPACE);
    Config base = loadBase();
    ConfigBuilder builder = new ConfigBuilder(base).withNamespace(namespace);
    optional(masterUrl).ifPresent(builder::withMasterUrl);
    if (trustCerts) {
      builder.withTrustCerts(true);
    }
    return builder.build();
  }

  /**
   * Builds a client. The caller owns it and closes it (an application wraps it in a {@code
   * Managed}).
   *
   * @throws ProviderConfigurationException when the kubeconfig file cannot be read
   */
  public KubernetesClient build() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  private Config loadBase() {
    Optional<String> file = optional(kubeconfig);
    if (file.isEmpty()) {
      if (optional(context).isPresent()) {
        return Config.autoConfigure(context);
      }
      return Config.autoConfigure(null);
    }
    Path path = Path.of(file.get());
    try {
      String content = Files.readString(path);
      return Config.fromKubeconfig(optional(context).orElse(null), content, path.toString());
    } catch (IOException e) {
      throw new ProviderConfigurationException(
          "kubernetes.kubeconfig",
          "cannot read '"
              + path
              + "' ("
              + e.getMessage()
              + "), for example 'kubeconfig: /etc/odc/kubeconfig'");
    }
  }

  private static Optional<String> optional(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }
}
