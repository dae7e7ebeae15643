package dev.odc.providers.gcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.DisksSettings;
import com.google.cloud.compute.v1.SnapshotsClient;
import com.google.cloud.compute.v1.SnapshotsSettings;
import com.google.cloud.compute.v1.ZonesClient;
import com.google.cloud.compute.v1.ZonesSettings;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudProviderFactory;
import dev.odc.providers.ProviderConfigurationException;
import dev.odc.providers.StorageException;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.time.Duration;

/**
 * {@code type: gcp}: persistent disks and snapshots through the Compute Engine API.
 *
 * <pre>{@code
 * cloud:
 *   type: gcp
 *   project: my-project          # required
 *   region: europe-west4         # required; zones are this region's
 *   defaultDiskType: pd-balanced
 *   endpoint: http://127.0.0.1:8085   # optional, for a local fake; disables credentials
 * }</pre>
 *
 * <p>Credentials are Application Default Credentials (Workload Identity on GKE).
 */
@JsonTypeName(GcpCloudProvider.NAME)
public class GcpCloudProviderFactory implements CloudProviderFactory {
  @NotBlank(message = "is required, for example 'project: my-project'")
  private String project;

  @NotBlank(message = "is required, for example 'region: europe-west4'")
  private String region;

  @NotBlank private String defaultDiskType = "pd-balanced";

  private String endpoint;

  @NotNull private Duration operationTimeout = Duration.ofMinutes(5);
  @NotNull private Duration pollInterval = Duration.ofSeconds(2);

  @JsonProperty
  public String getProject() {
    return project;
  }

  @JsonProperty
  public GcpCloudProviderFactory setProject(String project) {
    this.project = project;
    return this;
  }

  @JsonProperty
  public String getRegion() {
    return region;
  }

  @JsonProperty
  public GcpCloudProviderFactory setRegion(String region) {
    this.region = region;
    return this;
  }

  @JsonProperty
  public String getDefaultDiskType() {
    return defaultDiskType;
  }

  @JsonProperty
  public GcpCloudProviderFactory setDefaultDiskType(String defaultDiskType) {
    this.defaultDiskType = defaultDiskType;
    return this;
  }

  @JsonProperty
  public String getEndpoint() {
    return endpoint;
  }

  @JsonProperty
  public GcpCloudProviderFactory setEndpoint(String endpoint) {
    this.endpoint = endpoint;
    return this;
  }

  @JsonProperty
  public Duration getOperationTimeout() {
    return operationTimeout;
  }

  @JsonProperty
  public GcpCloudProviderFactory setOperationTimeout(Duration operationTimeout) {
    this.operationTimeout = operationTimeout;
    return this;
  }

  @JsonProperty
  public Duration getPollInterval() {
    return pollInterval;
  }

  @JsonProperty
  public GcpCloudProviderFactory setPollInterval(Duration pollInterval) {
    this.pollInterval = pollInterval;
    return this;
  }

  @Override
  public void validate() {
    ProviderConfigurationException.require(project, "cloud.project", "my-project");
    ProviderConfigurationException.require(region, "cloud.region", "europe-west4");
    if (!region.matches("[a-z]+-[a-z]+[0-9]+")) {
      throw new ProviderConfigurationException(
          "cloud.region",
          "'"
              + region
              + "' is not a region (zones are chosen per volume), for example 'region: europe-west4'");
    }
    ProviderConfigurationException.require(defaultDiskType, "cloud.defaultDiskType", "pd-balanced");
  }

  @Override
  public CloudProvider build() {
    validate();
    boolean local = endpoint != null && !endpoint.isBlank();
    // A local endpoint is a fake or emulator: it takes no Google credentials.
    CredentialsProvider credentials =
        local
            ? NoCredentialsProvider.create()
            : DisksSettings.defaultCredentialsProviderBuilder().build();
    try {
      DisksSettings.Builder disks = DisksSettings.newBuilder().setCredentialsProvider(credentials);
      SnapshotsSettings.Builder snapshots =
          SnapshotsSettings.newBuilder().setCredentialsProvider(credentials);
      ZonesSettings.Builder zones = ZonesSettings.newBuilder().setCredentialsProvider(credentials);
      if (local) {
        disks.setEndpoint(endpoint);
        snapshots.setEndpoint(endpoint);
        zones.setEndpoint(endpoint);
      }
      return new GcpCloudProvider(
          project,
          region,
          defaultDiskType,
          DisksClient.create(disks.build()),
          SnapshotsClient.create(snapshots.build()),
          ZonesClient.create(zones.build()),
          operationTimeout,
          pollInterval);
    } catch (IOException e) {
      throw new StorageException(
          project, "could not create Compute Engine clients: " + e.getMessage(), e);
    }
  }
}
