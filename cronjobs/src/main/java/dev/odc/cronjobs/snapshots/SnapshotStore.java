package dev.odc.cronjobs.snapshots;

import dev.odc.core.DiskSnapshot;

/** Where snapshots actually live: the cluster's VolumeSnapshots and, below them, the cloud's. */
public interface SnapshotStore {

  /**
   * Deletes the snapshot. Idempotent: a snapshot that is already gone counts as deleted, so a run
   * interrupted after this call and before the row was updated can simply repeat it.
   *
   * @throws SnapshotDeletionException when the snapshot exists and could not be deleted
   */
  void delete(DiskSnapshot snapshot) throws SnapshotDeletionException;

  /** A deletion the backend refused or could not carry out; carries the snapshot's name. */
  final class SnapshotDeletionException extends Exception {
    private static final long serialVersionUID = 1L;

    public SnapshotDeletionException(String snapshotName, Throwable cause) {
      super("could not delete snapshot " + snapshotName + ": " + cause.getMessage(), cause);
    }
  }
}
