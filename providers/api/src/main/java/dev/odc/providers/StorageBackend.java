package dev.odc.providers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes-native storage for home disks: PersistentVolumeClaims and CSI VolumeSnapshots ({@code
 * snapshot.storage.k8s.io/v1}). Works on any cluster with a CSI driver and the snapshot controller;
 * the cloud only shows through the StorageClass and VolumeSnapshotClass.
 *
 * <p>Every mutating method is idempotent so that at-least-once queue delivery is safe: creating
 * what exists returns it, deleting what is gone succeeds. Implementations are thread-safe.
 */
public interface StorageBackend {

  /**
   * Creates the claim described by {@code spec}, or returns the existing claim of that name
   * unchanged (its size, class and zone are not compared). A claim with a zone is pinned to it (the
   * backend records the zone as an annotation and in a node-affinity hint the scheduler and the CSI
   * provisioner honour). A claim with {@code fromSnapshot} is restored from that VolumeSnapshot
   * through {@code spec.dataSource}.
   *
   * @return the claim as the cluster reports it right after creation; usually still {@link
   *     ClaimPhase#PENDING}
   * @throws ResourceNotFoundException when {@code fromSnapshot} names a snapshot that does not
   *     exist
   * @throws InvalidRequestException when the snapshot is larger than the requested size
   * @throws StorageException when the cluster refuses or cannot be reached
   */
  VolumeClaim ensureClaim(ClaimSpec spec);

  /**
   * Looks a claim up by name.
   *
   * @return the claim, or empty when there is no claim of that name in the namespace
   * @throws StorageException when the cluster cannot be reached
   */
  Optional<VolumeClaim> findClaim(String namespace, String name);

  /**
   * Grows a claim to {@code newSizeGb} (the StorageClass must allow volume expansion). Asking for
   * the current size is a no-op.
   *
   * @return the claim after the change
   * @throws ResourceNotFoundException when the claim does not exist
   * @throws InvalidRequestException when {@code newSizeGb} is below the current size (claims never
   *     shrink) or below 1
   * @throws StorageException when the cluster refuses or cannot be reached
   */
  VolumeClaim resizeClaim(String namespace, String name, int newSizeGb);

  /**
   * Deletes a claim. Idempotent.
   *
   * @return true when a claim was deleted, false when there was none
   * @throws StorageException when the cluster refuses or cannot be reached
   */
  boolean deleteClaim(String namespace, String name);

  /**
   * Takes a VolumeSnapshot of a claim with the configured (or the spec's) VolumeSnapshotClass, or
   * returns the existing snapshot of that name. The snapshot is usually not ready yet: see {@link
   * #awaitSnapshotReady}.
   *
   * @throws ResourceNotFoundException when the source claim does not exist
   * @throws StorageException when the cluster refuses or cannot be reached
   */
  VolumeSnapshotInfo createSnapshot(SnapshotSpec spec);

  /**
   * Looks a snapshot up by name, including its bound VolumeSnapshotContent's CSI snapshot handle.
   *
   * @return the snapshot, or empty when there is none of that name in the namespace
   * @throws StorageException when the cluster cannot be reached
   */
  Optional<VolumeSnapshotInfo> findSnapshot(String namespace, String name);

  /**
   * Lists the snapshots in a namespace carrying all of {@code labels}.
   *
   * @param labels label equality selector; empty lists every snapshot in the namespace
   * @return the snapshots, oldest first; empty when none match (never null)
   * @throws StorageException when the cluster cannot be reached
   */
  List<VolumeSnapshotInfo> listSnapshots(String namespace, Map<String, String> labels);

  /**
   * Deletes a snapshot (and, through the class's deletion policy, the cloud snapshot). Idempotent.
   *
   * @return true when a snapshot was deleted, false when there was none
   * @throws StorageException when the cluster refuses or cannot be reached
   */
  boolean deleteSnapshot(String namespace, String name);

  /**
   * Waits until the snapshot reports {@code readyToUse}, polling the cluster.
   *
   * @return the ready snapshot
   * @throws ResourceNotFoundException when the snapshot does not exist (or disappears while
   *     waiting)
   * @throws StorageException when the snapshot reports an error
   * @throws ProviderTimeoutException when it is not ready within {@code timeout}
   */
  VolumeSnapshotInfo awaitSnapshotReady(String namespace, String name, Duration timeout);
}
