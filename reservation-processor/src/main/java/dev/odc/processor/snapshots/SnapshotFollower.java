package dev.odc.processor.snapshots;

import dev.odc.core.AuditEvent;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Labels;
import dev.odc.database.AuditLog;
import dev.odc.database.DiskSnapshotDao;
import dev.odc.processor.Processor;
import dev.odc.providers.StorageBackend;
import dev.odc.providers.VolumeSnapshotInfo;
import dev.odc.providers.kubernetes.KubernetesStorageBackend;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows each VolumeSnapshot a release takes until it is ready to use or failed, and records the
 * outcome on its {@code disk_snapshots} row and in the audit log ({@code disk.snapshot.ready},
 * {@code disk.snapshot.failed}), without waiting for a later reservation to look. An informer on
 * the reservations namespace's ODC snapshots reacts to the snapshot controller's status changes;
 * {@link #sweep} (run periodically) catches what happened while no processor watched and fails a
 * snapshot still not ready after {@code readyTimeout}. Every write is conditional on the row still
 * being pending, so several processors following the same snapshot record it once.
 */
public final class SnapshotFollower {
  private static final Logger log = LoggerFactory.getLogger(SnapshotFollower.class);

  /** How long a release snapshot may take to become ready before it counts as failed. */
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofHours(6);

  private final Jdbi jdbi;
  private final KubernetesClient client;
  private final StorageBackend storage;
  private final String namespace;
  private final Duration readyTimeout;
  private final Clock clock;
  private final Executor executor;
  private SharedIndexInformer<GenericKubernetesResource> informer;

  public SnapshotFollower(
      Jdbi jdbi,
      KubernetesClient client,
      StorageBackend storage,
      String namespace,
      Duration readyTimeout,
      Clock clock,
      Executor executor) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.client = Objects.requireNonNull(client, "client is null");
    this.storage = Objects.requireNonNull(storage, "storage is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.readyTimeout = Objects.requireNonNull(readyTimeout, "readyTimeout is null");
    if (readyTimeout.isNegative() || readyTimeout.isZero()) {
      throw new IllegalArgumentException("readyTimeout must be positive, was " + readyTimeout);
    }
    this.clock = Objects.requireNonNull(clock, "clock is null");
    this.executor = Objects.requireNonNull(executor, "executor is null");
  }

  /** Starts the informer; its events are handled on the executor, never on the watch thread. */
  public synchronized void start() {
    if (informer != null) {
      return;
    }
    informer =
        client
            .genericKubernetesResources(KubernetesStorageBackend.VOLUME_SNAPSHOTS)
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY, Labels.ODC)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource s) {
                    changed(s);
                  }

                  @Override
                  public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource s) {
                    changed(s);
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource s, boolean unknownFinalState) {
                    changed(s);
                  }
                },
                0);
  }

  public synchronized void stop() {
    if (informer != null) {
      informer.close();
      informer = null;
    }
  }

  private void changed(GenericKubernetesResource snapshot) {
    String name = snapshot.getMetadata().getName();
    executor.execute(() -> checkSafely(name));
  }

  /** Checks every pending snapshot: what the informer missed, and the ready timeout. */
  public void sweep() {
    for (DiskSnapshot s : jdbi.onDemand(DiskSnapshotDao.class).listPending()) {
      checkSafely(s.snapshotName());
    }
  }

  private void checkSafely(String name) {
    try {
      check(name);
    } catch (RuntimeException e) {
      log.warn("Snapshot {}: cannot record its state now; the next sweep retries", name, e);
    }
  }

  /**
   * Records the state of the snapshot {@code name} if its row is pending and the cluster has an
   * outcome: ready, failed with the controller's error, gone, or not ready in time.
   */
  public void check(String name) {
    Optional<DiskSnapshot> row = jdbi.onDemand(DiskSnapshotDao.class).findByName(name);
    if (row.isEmpty() || !row.get().pending() || row.get().deletedAt() != null) {
      return;
    }
    DiskSnapshot s = row.get();
    Optional<VolumeSnapshotInfo> info = storage.findSnapshot(namespace, name);
    if (info.isPresent() && info.get().readyToUse()) {
      ready(s, info.get());
    } else if (info.isPresent() && info.get().errorMessage() != null) {
      failed(s, info.get().errorMessage());
    } else if (info.isEmpty()) {
      failed(s, "the VolumeSnapshot " + name + " no longer exists");
    } else if (!s.createdAt().plus(readyTimeout).isAfter(clock.instant())) {
      failed(s, "not ready " + readyTimeout.toMinutes() + " minutes after it was taken");
    }
  }

  private void ready(DiskSnapshot s, VolumeSnapshotInfo info) {
    Integer size = info.restoreSizeGb().orElse(null);
    jdbi.useTransaction(
        h -> {
          if (!h.attach(DiskSnapshotDao.class).markReady(s.id(), info.snapshotHandle(), size)) {
            return;
          }
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("snapshot", s.snapshotName());
          details.put("snapshotId", s.id().toString());
          if (info.snapshotHandle() != null) {
            details.put("cloudSnapshotId", info.snapshotHandle());
          }
          if (size != null) {
            details.put("sizeGb", size);
          }
          AuditLog.append(
              h,
              Processor.ACTOR,
              "disk.snapshot.ready",
              "disk",
              s.diskId().toString(),
              AuditEvent.SUCCESS,
              details);
          log.info("Snapshot {} of disk {} is ready", s.snapshotName(), s.diskId());
        });
  }

  private void failed(DiskSnapshot s, String reason) {
    jdbi.useTransaction(
        h -> {
          if (!h.attach(DiskSnapshotDao.class).markFailed(s.id(), reason)) {
            return;
          }
          AuditLog.append(
              h,
              Processor.ACTOR,
              "disk.snapshot.failed",
              "disk",
              s.diskId().toString(),
              AuditEvent.FAILURE,
              Map.of(
                  "snapshot", s.snapshotName(), "snapshotId", s.id().toString(), "reason", reason));
          log.warn("Snapshot {} of disk {} failed: {}", s.snapshotName(), s.diskId(), reason);
        });
  }
}
