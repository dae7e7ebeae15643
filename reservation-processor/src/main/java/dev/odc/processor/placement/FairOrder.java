package dev.odc.processor.placement;

import dev.odc.core.ReservationStatus;
import dev.odc.database.QueueEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The order waiting reservations are served in: FIFO per GPU type, but round-robin over users, so
 * one user's burst does not starve the others.
 */
public final class FairOrder {
  private FairOrder() {}

  /** The waiting ones (PENDING, QUEUED) of {@code live} in service order. */
  public static List<QueueEntry> of(List<QueueEntry> live) {
    Map<UUID, Integer> perUser = new HashMap<>();
    record Ranked(QueueEntry r, int rank) {}
    List<Ranked> ranked = new ArrayList<>();
    live.stream()
        .filter(
            r -> r.status() == ReservationStatus.PENDING || r.status() == ReservationStatus.QUEUED)
        .sorted(Comparator.comparing(QueueEntry::createdAt).thenComparing(QueueEntry::id))
        .forEach(r -> ranked.add(new Ranked(r, perUser.merge(r.userId(), 1, Integer::sum))));
    ranked.sort(
        Comparator.comparingInt(Ranked::rank)
            .thenComparing(x -> x.r().createdAt())
            .thenComparing(x -> x.r().id()));
    return ranked.stream().map(Ranked::r).toList();
  }

  /** The 1-based queue position of {@code id} in {@code waiting}; one past the end if absent. */
  public static int position(UUID id, List<QueueEntry> waiting) {
    int position = 1;
    for (QueueEntry w : waiting) {
      if (w.id().equals(id)) {
        break;
      }
      position++;
    }
    return position;
  }
}
