package dev.odc.providers.kubernetes;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudProviderFactory;
import dev.odc.providers.ProviderConfigurationException;
import dev.odc.providers.StorageFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.validation.Valid;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code type: custom}: a cluster without a cloud API.
 *
 * <pre>{@code
 * cloud:
 *   type: custom
 *   zones: [rack-a, rack-b]      # optional; without it zones come from the nodes' labels
 *   kubernetes: {}               # optional client settings for reading node labels
 * }</pre>
 */
@JsonTypeName(CustomCloudProvider.NAME)
public class CustomCloudProviderFactory implements CloudProviderFactory {
  private List<String> zones = new ArrayList<>();

  @Valid private KubernetesClientFactory kubernetes = new KubernetesClientFactory();

  private String zoneTopologyKey = StorageFactory.ZONE_TOPOLOGY_KEY;

  @JsonProperty
  public List<String> getZones() {
    return zones;
  }

  @JsonProperty
  public CustomCloudProviderFactory setZones(List<String> zones) {
    this.zones = zones == null ? new ArrayList<>() : new ArrayList<>(zones);
    return this;
  }

  @JsonProperty
  public KubernetesClientFactory getKubernetes() {
    return kubernetes;
  }

  @JsonProperty
  public CustomCloudProviderFactory setKubernetes(KubernetesClientFactory kubernetes) {
    this.kubernetes = kubernetes;
    return this;
  }

  @JsonProperty
  public String getZoneTopologyKey() {
    return zoneTopologyKey;
  }

  @JsonProperty
  public CustomCloudProviderFactory setZoneTopologyKey(String zoneTopologyKey) {
    this.zoneTopologyKey = zoneTopologyKey;
    return this;
  }

  @Override
  public void validate() {
    for (String zone : zones) {
      if (zone == null || zone.isBlank()) {
        throw new ProviderConfigurationException(
            "cloud.zones", "must not contain blank entries, for example 'zones: [rack-a, rack-b]'");
      }
    }
    if (zones.isEmpty()) {
      if (kubernetes == null) {
        throw new ProviderConfigurationException(
            "cloud.kubernetes",
            "is required when cloud.zones is empty, for example 'kubernetes: {}'");
      }
      ProviderConfigurationException.require(
          zoneTopologyKey, "cloud.zoneTopologyKey", StorageFactory.ZONE_TOPOLOGY_KEY);
    }
  }

  @Override
  public CloudProvider build() {
    validate();
    if (!zones.isEmpty()) {
      List<String> fixed = List.copyOf(zones);
      return new CustomCloudProvider(() -> fixed, () -> {});
    }
    KubernetesClient client = kubernetes.build();
    return forClient(client, zoneTopologyKey, client);
  }

  /** A provider reading zones from the nodes through {@code client}, closing {@code owned}. */
  public static CustomCloudProvider forClient(
      KubernetesClient client, String zoneTopologyKey, AutoCloseable owned) {
    KubernetesStorageBackend nodes =
        new KubernetesStorageBackend(
            client, new StorageFactory().setZoneTopologyKey(zoneTopologyKey));
    return new CustomCloudProvider(() -> List.copyOf(nodes.knownZones()), owned);
  }
}
