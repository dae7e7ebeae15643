package dev.odc.processor.provisioning;

import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.database.AuditLog;
import dev.odc.database.DiskDao;
import dev.odc.database.ReservationRows;
import dev.odc.processor.Processor;
import dev.odc.providers.StorageBackend;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the claims a disk left behind when it moved zone. A move restores the disk into a new
 * claim from a snapshot; the old claim (and its cloud volume) is kept until the move is verified:
 * the new claim, which the disk row now names, is Bound, was restored from a VolumeSnapshot, and
 * the reservation holding the disk is ACTIVE. Then every other claim carrying the disk's label
 * goes, so a disk that moved twice keeps exactly one claim. A move that never happened (the newest
 * snapshot failed, so the reservation failed before a new claim was made) deletes nothing.
 */
public final class SupersededClaims {
  private static final Logger log = LoggerFactory.getLogger(SupersededClaims.class);

  private final Jdbi jdbi;
  private final KubernetesClient client;
  private final StorageBackend storage;
  private final String namespace;

  public SupersededClaims(
      Jdbi jdbi, KubernetesClient client, StorageBackend storage, String namespace) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.client = Objects.requireNonNull(client, "client is null");
    this.storage = Objects.requireNonNull(storage, "storage is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
  }

  /** One pass over the namespace's disk claims; safe to run from several processors. */
  public void sweep() {
    Map<UUID, List<PersistentVolumeClaim>> byDisk = new HashMap<>();
    for (PersistentVolumeClaim pvc :
        client
            .persistentVolumeClaims()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY, Labels.ODC)
            .withLabel(Labels.DISK_ID)
            .list()
            .getItems()) {
      try {
        UUID disk = UUID.fromString(pvc.getMetadata().getLabels().get(Labels.DISK_ID));
        byDisk.computeIfAbsent(disk, k -> new ArrayList<>()).add(pvc);
      } catch (IllegalArgumentException e) {
        log.debug("Claim {} has a malformed disk label", pvc.getMetadata().getName());
      }
    }
    byDisk.forEach(
        (diskId, claims) -> {
          if (claims.size() > 1) {
            try {
              retire(diskId, claims);
            } catch (RuntimeException e) {
              log.warn("Disk {}: superseded claims not deleted now; retried later", diskId, e);
            }
          }
        });
  }

  private void retire(UUID diskId, List<PersistentVolumeClaim> claims) {
    Optional<Disk> found = jdbi.withHandle(h -> h.attach(DiskDao.class).findById(diskId));
    if (found.isEmpty() || found.get().deleted() || found.get().pvcName() == null) {
      return; // a deleted disk's claims are the disk_operations queue's work
    }
    Disk disk = found.get();
    PersistentVolumeClaim current =
        claims.stream()
            .filter(c -> disk.pvcName().equals(c.getMetadata().getName()))
            .findFirst()
            .orElse(null);
    if (current == null || !verified(disk, current)) {
      return;
    }
    List<String> deleted = new ArrayList<>();
    for (PersistentVolumeClaim c : claims) {
      String name = c.getMetadata().getName();
      if (!name.equals(disk.pvcName()) && storage.deleteClaim(namespace, name)) {
        deleted.add(name);
      }
    }
    if (deleted.isEmpty()) {
      return;
    }
    jdbi.useTransaction(
        h ->
            AuditLog.append(
                h,
                Processor.ACTOR,
                "disk.claim.delete",
                "disk",
                diskId.toString(),
                AuditEvent.SUCCESS,
                Map.of(
                    "deleted",
                    deleted,
                    "current",
                    disk.pvcName(),
                    "reason",
                    "superseded by move")));
    log.info("Disk {}: deleted superseded claims {} (now in {})", diskId, deleted, disk.pvcName());
  }

  private boolean verified(Disk disk, PersistentVolumeClaim current) {
    boolean bound = current.getStatus() != null && "Bound".equals(current.getStatus().getPhase());
    var source = current.getSpec() == null ? null : current.getSpec().getDataSource();
    boolean restored = source != null && "VolumeSnapshot".equals(source.getKind());
    if (!bound || !restored || disk.inUseBy() == null) {
      return false;
    }
    return jdbi.withHandle(h -> ReservationRows.findById(h, disk.inUseBy()))
        .map(Reservation::status)
        .filter(s -> s == ReservationStatus.ACTIVE)
        .isPresent();
  }
}
