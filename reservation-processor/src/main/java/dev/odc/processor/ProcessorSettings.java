package dev.odc.processor;

import dev.odc.core.Labels;
import dev.odc.database.pgmq.QueueConsumer;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.kubernetes.KubernetesClientFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Processor} needs to know besides its clients; {@link ProcessorConfiguration} builds
 * one from YAML, tests and benchmarks build one directly.
 *
 * @param namespace where reservation pods, services and claims live
 * @param gpuTypeLabel node label carrying the GPU type
 * @param workerId this processor's lease holder id; unique per replica
 * @param leaseTtl how long a lease lasts without renewal; a dead processor's work is taken over
 *     after this
 * @param sweepInterval how often expired leases, pending timeouts and the queue are swept
 * @param visibilityTimeout queue visibility timeout: a message being handled is hidden this long
 * @param maxDeliveries deliveries before a message is dead-lettered and its reservation FAILED
 * @param retryDelay redelivery delay after a failed handling (whole seconds, at least 1)
 * @param defaultImage the image when the reservation names none
 * @param pendingTimeout a pod not Running and Ready after this is a failed reservation
 * @param defaultDiskSizeGb size of a new home disk
 * @param sharedVolumeClass storage class of a per-user read-write-many volume at /shared; null for
 *     none
 * @param dnsDomain domain for an external-dns hostname on the SSH service; null for none
 * @param workerThreads queue messages handled at once (consumer threads, each with its own LISTEN
 *     connection and a database connection while it works)
 */
public record ProcessorSettings(
    String namespace,
    String gpuTypeLabel,
    String workerId,
    Duration leaseTtl,
    Duration sweepInterval,
    Duration visibilityTimeout,
    int maxDeliveries,
    Duration retryDelay,
    String defaultImage,
    Duration pendingTimeout,
    int defaultDiskSizeGb,
    String sharedVolumeClass,
    String dnsDomain,
    int workerThreads) {
  // The defaults, written once: ProcessorConfiguration starts from them and defaults() uses them,
  // so tests and benchmarks run the production timings unless they set shorter ones themselves.
  public static final String DEFAULT_NAMESPACE = KubernetesClientFactory.DEFAULT_NAMESPACE;
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(120);
  public static final int DEFAULT_MAX_DELIVERIES = 5;
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(5);
  public static final String DEFAULT_IMAGE = "registry.example.com/odc/devserver:latest";
  public static final Duration DEFAULT_PENDING_TIMEOUT = Duration.ofMinutes(10);
  public static final int DEFAULT_DISK_SIZE_GB = StorageFactory.DEFAULT_SIZE_GB;

  /** Consumer threads when none are configured. */
  public static final int DEFAULT_WORKER_THREADS = 8;

  public ProcessorSettings {
    notBlank(namespace, "namespace");
    notBlank(gpuTypeLabel, "gpuTypeLabel");
    notBlank(workerId, "workerId");
    positive(leaseTtl, "leaseTtl");
    positive(sweepInterval, "sweepInterval");
    positive(visibilityTimeout, "visibilityTimeout");
    if (visibilityTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException("visibilityTimeout must be at least 1 second");
    }
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries must be at least 1, was " + maxDeliveries);
    }
    positive(retryDelay, "retryDelay");
    if (retryDelay.toSeconds() < 1) {
      throw new IllegalArgumentException("retryDelay must be at least 1 second");
    }
    notBlank(defaultImage, "defaultImage");
    positive(pendingTimeout, "pendingTimeout");
    if (defaultDiskSizeGb < 1) {
      throw new IllegalArgumentException(
          "defaultDiskSizeGb must be at least 1, was " + defaultDiskSizeGb);
    }
    if (workerThreads < 1) {
      throw new IllegalArgumentException("workerThreads must be at least 1, was " + workerThreads);
    }
    sharedVolumeClass = blankToNull(sharedVolumeClass);
    dnsDomain = blankToNull(dnsDomain);
  }

  /** The production defaults with the given worker id, for tests and benchmarks. */
  public static ProcessorSettings defaults(String workerId) {
    return new ProcessorSettings(
        DEFAULT_NAMESPACE,
        Labels.DEFAULT_GPU_TYPE,
        workerId,
        DEFAULT_LEASE_TTL,
        DEFAULT_SWEEP_INTERVAL,
        DEFAULT_VISIBILITY_TIMEOUT,
        DEFAULT_MAX_DELIVERIES,
        DEFAULT_RETRY_DELAY,
        DEFAULT_IMAGE,
        DEFAULT_PENDING_TIMEOUT,
        DEFAULT_DISK_SIZE_GB,
        null,
        null,
        DEFAULT_WORKER_THREADS);
  }

  /** These settings with another queue visibility timeout and redelivery delay. */
  public ProcessorSettings withDelivery(Duration visibility, Duration retry) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        workerId,
        leaseTtl,
        sweepInterval,
        visibility,
        maxDeliveries,
        retry,
        defaultImage,
        pendingTimeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        dnsDomain,
        workerThreads);
  }

  public ProcessorSettings withWorkerId(String id) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        id,
        leaseTtl,
        sweepInterval,
        visibilityTimeout,
        maxDeliveries,
        retryDelay,
        defaultImage,
        pendingTimeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        dnsDomain,
        workerThreads);
  }

  public ProcessorSettings withMaxDeliveries(int deliveries) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        workerId,
        leaseTtl,
        sweepInterval,
        visibilityTimeout,
        deliveries,
        retryDelay,
        defaultImage,
        pendingTimeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        dnsDomain,
        workerThreads);
  }

  public ProcessorSettings withLeaseTtl(Duration ttl) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        workerId,
        ttl,
        sweepInterval,
        visibilityTimeout,
        maxDeliveries,
        retryDelay,
        defaultImage,
        pendingTimeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        dnsDomain,
        workerThreads);
  }

  public ProcessorSettings withPendingTimeout(Duration timeout) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        workerId,
        leaseTtl,
        sweepInterval,
        visibilityTimeout,
        maxDeliveries,
        retryDelay,
        defaultImage,
        timeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        dnsDomain,
        workerThreads);
  }

  public ProcessorSettings withSweepInterval(Duration interval) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        workerId,
        leaseTtl,
        interval,
        visibilityTimeout,
        maxDeliveries,
        retryDelay,
        defaultImage,
        pendingTimeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        dnsDomain,
        workerThreads);
  }

  /**
   * The delivery settings every queue consumer of the processor shares: visibility timeout,
   * deliveries before the dead letter, retry delay, and the idle wait between empty reads.
   */
  <T> QueueConsumer.Builder<T> deliveryOf(QueueConsumer.Builder<T> builder) {
    return builder
        .visibilityTimeout(visibilityTimeout)
        .maxDeliveries(maxDeliveries)
        .retryDelay(retryDelay)
        .idleWait(Duration.ofMillis(200));
  }

  public ProcessorSettings withDnsDomain(String domain) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        workerId,
        leaseTtl,
        sweepInterval,
        visibilityTimeout,
        maxDeliveries,
        retryDelay,
        defaultImage,
        pendingTimeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        domain,
        workerThreads);
  }

  public ProcessorSettings withWorkerThreads(int threads) {
    return new ProcessorSettings(
        namespace,
        gpuTypeLabel,
        workerId,
        leaseTtl,
        sweepInterval,
        visibilityTimeout,
        maxDeliveries,
        retryDelay,
        defaultImage,
        pendingTimeout,
        defaultDiskSizeGb,
        sharedVolumeClass,
        dnsDomain,
        threads);
  }

  private static String notBlank(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return value;
  }

  private static void positive(Duration value, String field) {
    Objects.requireNonNull(value, () -> field + " is required");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
