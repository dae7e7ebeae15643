package dev.odc.providers.aws;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudProviderFactory;
import dev.odc.providers.ProviderConfigurationException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * {@code type: aws}: EBS volumes and snapshots through the EC2 API, small objects in S3.
 *
 * <pre>{@code
 * cloud:
 *   type: aws
 *   region: us-east-1             # required
 *   endpoint: http://127.0.0.1:5000   # optional, e.g. a moto server
 *   defaultVolumeType: gp3
 *   maxAttempts: 5
 *   apiCallTimeout: PT30S
 * }</pre>
 *
 * <p>Credentials come from the SDK's default chain (IRSA / pod identity on EKS, environment,
 * profile) unless {@code accessKeyId} and {@code secretAccessKey} are both set.
 */
@JsonTypeName(AwsCloudProvider.NAME)
public class AwsCloudProviderFactory implements CloudProviderFactory {
  @NotBlank(message = "is required, for example 'region: us-east-1'")
  private String region;

  private String endpoint;
  private String accessKeyId;
  private String secretAccessKey;

  @NotBlank private String defaultVolumeType = "gp3";

  @Min(1)
  @Max(20)
  private int maxAttempts = 5;

  @NotNull private Duration apiCallTimeout = Duration.ofSeconds(30);
  @NotNull private Duration apiCallAttemptTimeout = Duration.ofSeconds(10);
  @NotNull private Duration connectionTimeout = Duration.ofSeconds(5);
  @NotNull private Duration pollInterval = Duration.ofSeconds(2);

  @JsonProperty
  public String getRegion() {
    return region;
  }

  @JsonProperty
  public AwsCloudProviderFactory setRegion(String region) {
    this.region = region;
    return this;
  }

  @JsonProperty
  public String getEndpoint() {
    return endpoint;
  }

  @JsonProperty
  public AwsCloudProviderFactory setEndpoint(String endpoint) {
    this.endpoint = endpoint;
    return this;
  }

  @JsonProperty
  public String getAccessKeyId() {
    return accessKeyId;
  }

  @JsonProperty
  public AwsCloudProviderFactory setAccessKeyId(String accessKeyId) {
    this.accessKeyId = accessKeyId;
    return this;
  }

  @JsonProperty
  public String getSecretAccessKey() {
    return secretAccessKey;
  }

  @JsonProperty
  public AwsCloudProviderFactory setSecretAccessKey(String secretAccessKey) {
    this.secretAccessKey = secretAccessKey;
    return this;
  }

  @JsonProperty
  public String getDefaultVolumeType() {
    return defaultVolumeType;
  }

  @JsonProperty
  public AwsCloudProviderFactory setDefaultVolumeType(String defaultVolumeType) {
    this.defaultVolumeType = defaultVolumeType;
    return this;
  }

  @JsonProperty
  public int getMaxAttempts() {
    return maxAttempts;
  }

  @JsonProperty
  public AwsCloudProviderFactory setMaxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
    return this;
  }

  @JsonProperty
  public Duration getApiCallTimeout() {
    return apiCallTimeout;
  }

  @JsonProperty
  public AwsCloudProviderFactory setApiCallTimeout(Duration apiCallTimeout) {
    this.apiCallTimeout = apiCallTimeout;
    return this;
  }

  @JsonProperty
  public Duration getApiCallAttemptTimeout() {
    return apiCallAttemptTimeout;
  }

  @JsonProperty
  public AwsCloudProviderFactory setApiCallAttemptTimeout(Duration apiCallAttemptTimeout) {
    this.apiCallAttemptTimeout = apiCallAttemptTimeout;
    return this;
  }

  @JsonProperty
  public Duration getConnectionTimeout() {
    return connectionTimeout;
  }

  @JsonProperty
  public AwsCloudProviderFactory setConnectionTimeout(Duration connectionTimeout) {
    this.connectionTimeout = connectionTimeout;
    return this;
  }

  @JsonProperty
  public Duration getPollInterval() {
    return pollInterval;
  }

  @JsonProperty
  public AwsCloudProviderFactory setPollInterval(Duration pollInterval) {
    this.pollInterval = pollInterval;
    return this;
  }

  @Override
  public void validate() {
    ProviderConfigurationException.require(region, "cloud.region", "us-east-1");
    if (Region.regions().stream().noneMatch(r -> r.id().equals(region))
        && (endpoint == null || endpoint.isBlank())) {
      throw new ProviderConfigurationException(
          "cloud.region", "'" + region + "' is not an AWS region, for example 'region: us-east-1'");
    }
    boolean hasKey = accessKeyId != null && !accessKeyId.isBlank();
    boolean hasSecret = secretAccessKey != null && !secretAccessKey.isBlank();
    if (hasKey != hasSecret) {
      throw new ProviderConfigurationException(
          hasKey ? "cloud.secretAccessKey" : "cloud.accessKeyId",
          "must be set together with the other static credential, or leave both out to use the"
              + " default credential chain");
    }
    if (endpoint != null && !endpoint.isBlank()) {
      try {
        URI uri = URI.create(endpoint);
        if (uri.getScheme() == null || uri.getHost() == null) {
          throw new IllegalArgumentException("no scheme or host");
        }
      } catch (IllegalArgumentException e) {
        throw new ProviderConfigurationException(
            "cloud.endpoint",
            "'" + endpoint + "' is not a URL, for example 'endpoint: http://127.0.0.1:5000'");
      }
    }
    ProviderConfigurationException.require(defaultVolumeType, "cloud.defaultVolumeType", "gp3");
  }

  @Override
  public CloudProvider build() {
    validate();
    RetryStrategy retries = StandardRetryStrategy.builder().maxAttempts(maxAttempts).build();
    AwsCredentialsProvider credentials = credentials();
    ClientOverrideConfiguration overrides =
        ClientOverrideConfiguration.builder()
            .retryStrategy(retries)
            .apiCallTimeout(apiCallTimeout)
            .apiCallAttemptTimeout(apiCallAttemptTimeout)
            .build();
    Ec2ClientBuilder ec2 =
        Ec2Client.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .httpClientBuilder(httpClient())
            .overrideConfiguration(overrides);
    S3ClientBuilder s3 =
        S3Client.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .httpClientBuilder(httpClient())
            .overrideConfiguration(overrides);
    if (endpoint != null && !endpoint.isBlank()) {
      ec2.endpointOverride(URI.create(endpoint));
      // Local S3 servers (moto, MinIO) serve buckets by path, not by virtual host name.
      s3.endpointOverride(URI.create(endpoint)).forcePathStyle(true);
    }
    return new AwsCloudProvider(ec2.build(), s3.build(), defaultVolumeType, pollInterval);
  }

  private UrlConnectionHttpClient.Builder httpClient() {
    return UrlConnectionHttpClient.builder()
        .connectionTimeout(connectionTimeout)
        .socketTimeout(apiCallAttemptTimeout);
  }

  private AwsCredentialsProvider credentials() {
    if (accessKeyId != null && !accessKeyId.isBlank()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  @Override
  public String toString() {
    // Never print the secret key: configuration objects end up in logs.
    return "AwsCloudProviderFactory{region=" + region + ", endpoint=" + endpoint + "}";
  }
}
