package dev.odc.cronjobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.odc.core.Labels;
import dev.odc.providers.CloudProviderFactory;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesClientFactory;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.Optional;

/** Configuration of the cronjobs application; see {@code cronjobs/config.yml}. */
public class CronjobsConfiguration extends Configuration {

  @Valid @NotNull @JsonProperty private DataSourceFactory database = new DataSourceFactory();

  /**
   * Kubernetes access, built by the same factory as the processor's (in-cluster service account, a
   * kubeconfig, or {@code masterUrl}), plus the node label that carries the GPU type.
   */
  public static class Kubernetes extends KubernetesClientFactory {
    @JsonProperty @NotBlank private String gpuTypeLabel = Labels.DEFAULT_GPU_TYPE;

    public String getGpuTypeLabel() {
      return gpuTypeLabel;
    }
  }

  /** Quartz settings shared by every replica of the cluster. */
  public static class Scheduler {
    /** Unique per replica; empty: the host name (the pod name in Kubernetes). */
    @JsonProperty private String instanceId = "";

    @JsonProperty
    @Min(1)
    @Max(32)
    private int threads = 4;

    @JsonProperty @NotNull private Duration clusterCheckin = Duration.seconds(15);

    /** Jobs whose last run failed or that did not succeed for this many intervals are unhealthy. */
    @JsonProperty
    @Min(1)
    private int staleAfterIntervals = 3;

    public String getInstanceId() {
      return instanceId;
    }

    public int getThreads() {
      return threads;
    }

    public Duration getClusterCheckin() {
      return clusterCheckin;
    }

    public int getStaleAfterIntervals() {
      return staleAfterIntervals;
    }
  }

  @Valid @NotNull @JsonProperty private Kubernetes kubernetes = new Kubernetes();

  /**
   * Where PVCs and VolumeSnapshots live; its namespace should equal {@code kubernetes.namespace}.
   */
  @Valid @NotNull @JsonProperty private StorageFactory storage = new StorageFactory();

  /**
   * Optional cloud provider ({@code type: aws|gcp|custom}) for cloud-level snapshot cleanup; absent
   * means VolumeSnapshot deletion policies alone remove cloud snapshots.
   */
  @Valid @JsonProperty private CloudProviderFactory cloud;

  @Valid @NotNull @JsonProperty private Scheduler scheduler = new Scheduler();
  @Valid @NotNull @JsonProperty private JobsConfiguration jobs = new JobsConfiguration();

  public DataSourceFactory getDatabase() {
    return database;
  }

  public Kubernetes getKubernetes() {
    return kubernetes;
  }

  public StorageFactory getStorage() {
    return storage;
  }

  public Optional<CloudProviderFactory> getCloud() {
    return Optional.ofNullable(cloud);
  }

  public Scheduler getScheduler() {
    return scheduler;
  }

  public JobsConfiguration getJobs() {
    return jobs;
  }
}
