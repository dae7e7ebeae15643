package dev.odc.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.odc.core.Labels;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesClientFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The processor's YAML.
 *
 * <pre>{@code
 * database: { driverClass: org.postgresql.Driver, url: ..., user: ..., password: ... }
 * kubernetes: { namespace: odc-reservations }   # the one place the namespace is set
 * storage: { storageClass: odc-gp3, volumeSnapshotClass: odc-ebs-snapshots }
 * gpuTypeLabel: odc.dev/gpu-type
 * workerId: ${WORKER_ID:-}          # default: the host name
 * leaseTtl: 60s
 * sweepInterval: 10s
 * visibilityTimeout: 120s
 * maxDeliveries: 5
 * defaultImage: registry.example.com/odc/devserver:latest
 * sshPublicKeys: { alice: ["ssh-ed25519 AAAA... alice@laptop"] }
 * sshPublicKeysDirectory: /etc/odc/ssh-keys   # <username>.pub files
 * pendingTimeout: 10m
 * sharedVolume: efs-sc                        # optional
 * dnsDomain: gpu.example.com                  # optional
 * workerThreads: 8                            # queue messages handled at once
 * }</pre>
 */
public class ProcessorConfiguration extends Configuration {
  @Valid @NotNull private DataSourceFactory database = new DataSourceFactory();
  @Valid @NotNull private KubernetesClientFactory kubernetes = new KubernetesClientFactory();
  @Valid @NotNull private StorageFactory storage = new StorageFactory();
  @NotBlank private String gpuTypeLabel = Labels.DEFAULT_GPU_TYPE;
  private String workerId;
  @NotNull private Duration leaseTtl = yaml(ProcessorSettings.DEFAULT_LEASE_TTL);
  @NotNull private Duration sweepInterval = yaml(ProcessorSettings.DEFAULT_SWEEP_INTERVAL);
  @NotNull private Duration visibilityTimeout = yaml(ProcessorSettings.DEFAULT_VISIBILITY_TIMEOUT);

  @Min(1)
  private int maxDeliveries = ProcessorSettings.DEFAULT_MAX_DELIVERIES;

  @NotNull private Duration retryDelay = yaml(ProcessorSettings.DEFAULT_RETRY_DELAY);
  @NotBlank private String defaultImage = ProcessorSettings.DEFAULT_IMAGE;
  @NotNull private Map<String, List<String>> sshPublicKeys = Map.of();
  private String sshPublicKeysDirectory;
  @NotNull private Duration pendingTimeout = yaml(ProcessorSettings.DEFAULT_PENDING_TIMEOUT);
  private String sharedVolume;
  private String dnsDomain;

  @Min(1)
  private int workerThreads = ProcessorSettings.DEFAULT_WORKER_THREADS;

  @JsonProperty
  public DataSourceFactory getDatabase() {
    return database;
  }

  @JsonProperty
  public void setDatabase(DataSourceFactory database) {
    this.database = database;
  }

  @JsonProperty
  public KubernetesClientFactory getKubernetes() {
    return kubernetes;
  }

  @JsonProperty
  public void setKubernetes(KubernetesClientFactory kubernetes) {
    this.kubernetes = kubernetes;
  }

  @JsonProperty
  public StorageFactory getStorage() {
    return storage;
  }

  @JsonProperty
  public void setStorage(StorageFactory storage) {
    this.storage = storage;
  }

  @JsonProperty
  public String getGpuTypeLabel() {
    return gpuTypeLabel;
  }

  @JsonProperty
  public void setGpuTypeLabel(String gpuTypeLabel) {
    this.gpuTypeLabel = gpuTypeLabel;
  }

  @JsonProperty
  public String getWorkerId() {
    return workerId;
  }

  @JsonProperty
  public void setWorkerId(String workerId) {
    this.workerId = workerId;
  }

  @JsonProperty
  public Duration getLeaseTtl() {
    return leaseTtl;
  }

  @JsonProperty
  public void setLeaseTtl(Duration leaseTtl) {
    this.leaseTtl = leaseTtl;
  }

  @JsonProperty
  public Duration getSweepInterval() {
    return sweepInterval;
  }

  @JsonProperty
  public void setSweepInterval(Duration sweepInterval) {
    this.sweepInterval = sweepInterval;
  }

  @JsonProperty
  public Duration getVisibilityTimeout() {
    return visibilityTimeout;
  }

  @JsonProperty
  public void setVisibilityTimeout(Duration visibilityTimeout) {
    this.visibilityTimeout = visibilityTimeout;
  }

  @JsonProperty
  public int getMaxDeliveries() {
    return maxDeliveries;
  }

  @JsonProperty
  public void setMaxDeliveries(int maxDeliveries) {
    this.maxDeliveries = maxDeliveries;
  }

  @JsonProperty
  public Duration getRetryDelay() {
    return retryDelay;
  }

  @JsonProperty
  public void setRetryDelay(Duration retryDelay) {
    this.retryDelay = retryDelay;
  }

  @JsonProperty
  public String getDefaultImage() {
    return defaultImage;
  }

  @JsonProperty
  public void setDefaultImage(String defaultImage) {
    this.defaultImage = defaultImage;
  }

  @JsonProperty
  public Map<String, List<String>> getSshPublicKeys() {
    return sshPublicKeys;
  }

  @JsonProperty
  public void setSshPublicKeys(Map<String, List<String>> sshPublicKeys) {
    this.sshPublicKeys = sshPublicKeys;
  }

  @JsonProperty
  public String getSshPublicKeysDirectory() {
    return sshPublicKeysDirectory;
  }

  @JsonProperty
  public void setSshPublicKeysDirectory(String sshPublicKeysDirectory) {
    this.sshPublicKeysDirectory = sshPublicKeysDirectory;
  }

  @JsonProperty
  public Duration getPendingTimeout() {
    return pendingTimeout;
  }

  @JsonProperty
  public void setPendingTimeout(Duration pendingTimeout) {
    this.pendingTimeout = pendingTimeout;
  }

  @JsonProperty
  public String getSharedVolume() {
    return sharedVolume;
  }

  @JsonProperty
  public void setSharedVolume(String sharedVolume) {
    this.sharedVolume = sharedVolume;
  }

  @JsonProperty
  public String getDnsDomain() {
    return dnsDomain;
  }

  @JsonProperty
  public void setDnsDomain(String dnsDomain) {
    this.dnsDomain = dnsDomain;
  }

  @JsonProperty
  public int getWorkerThreads() {
    return workerThreads;
  }

  @JsonProperty
  public void setWorkerThreads(int workerThreads) {
    this.workerThreads = workerThreads;
  }

  /** The settings a {@link Processor} takes; the worker id defaults to the host name. */
  public ProcessorSettings settings() {
    return new ProcessorSettings(
        kubernetes.getNamespace(),
        gpuTypeLabel,
        workerId == null || workerId.isBlank() ? hostname() : workerId,
        leaseTtl.toJavaDuration(),
        sweepInterval.toJavaDuration(),
        visibilityTimeout.toJavaDuration(),
        maxDeliveries,
        retryDelay.toJavaDuration(),
        defaultImage,
        pendingTimeout.toJavaDuration(),
        storage.getDefaultSizeGb(),
        sharedVolume,
        dnsDomain,
        workerThreads);
  }

  /** Configured keys first, then the keys directory when one is set. */
  public SshKeySource sshKeySource() {
    SshKeySource configured = SshKeySource.of(sshPublicKeys);
    if (sshPublicKeysDirectory == null || sshPublicKeysDirectory.isBlank()) {
      return configured;
    }
    SshKeySource directory = SshKeySource.directory(Path.of(sshPublicKeysDirectory));
    return username -> {
      List<String> keys = configured.keysFor(username);
      return keys.isEmpty() ? directory.keysFor(username) : keys;
    };
  }

  /** A default of {@link ProcessorSettings} as the YAML duration type. */
  private static Duration yaml(java.time.Duration value) {
    return Duration.milliseconds(value.toMillis());
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "processor-" + ProcessHandle.current().pid();
    }
  }
}
