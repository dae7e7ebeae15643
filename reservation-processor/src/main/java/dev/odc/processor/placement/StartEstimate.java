package dev.odc.processor.placement;

import dev.odc.core.Reservation;
import dev.odc.database.QueueEntry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/** When a queued reservation can expect to start. */
public final class StartEstimate {
  private StartEstimate() {}

  /**
   * When enough GPUs are free for {@code id} and everyone ahead of it in {@code waiting}: now when
   * they are free already, else the expiry of the active reservation whose end brings the free
   * count there.
   *
   * @param freeGpus GPUs free now
   * @param activeSoonestFirst the active reservations of the GPU type, soonest to expire first;
   *     only asked for when the free GPUs are not enough
   * @return empty when no active reservation's end would free enough
   */
  public static Optional<Instant> of(
      UUID id,
      List<QueueEntry> waiting,
      int freeGpus,
      Supplier<List<Reservation>> activeSoonestFirst,
      Instant now) {
    int needed = 0;
    for (QueueEntry w : waiting) {
      needed += w.totalGpus();
      if (w.id().equals(id)) {
        break;
      }
    }
    int available = freeGpus;
    if (available >= needed) {
      return Optional.of(now);
    }
    for (Reservation a : activeSoonestFirst.get()) {
      if (a.expiresAt() == null) {
        continue;
      }
      available += a.totalGpus();
      if (available >= needed) {
        return Optional.of(a.expiresAt());
      }
    }
    return Optional.empty();
  }
}
