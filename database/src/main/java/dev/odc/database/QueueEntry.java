package dev.odc.database;

import dev.odc.core.ReservationStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * What a placement decision needs of a reservation that waits for GPUs or is being given them
 * (PENDING, QUEUED, PREPARING): its place in the queue and its size, without the labels and status
 * history a whole {@link dev.odc.core.Reservation} carries. A decision reads every one of them
 * under its GPU type's lock, so the rows are kept small.
 */
public record QueueEntry(
    UUID id,
    UUID userId,
    ReservationStatus status,
    int gpuCount,
    int nodeCount,
    Instant createdAt,
    long version) {

  /** GPUs over all nodes. */
  public int totalGpus() {
    return gpuCount * nodeCount;
  }
}
