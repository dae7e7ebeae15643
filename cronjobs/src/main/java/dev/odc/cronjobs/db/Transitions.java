package dev.odc.cronjobs.db;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds the next version of a reservation row for a status change the jobs make. */
public final class Transitions {
  private Transitions() {}

  /**
   * {@code r} moved to {@code next}, with the step in its history and, for terminal states, the end
   * time set.
   *
   * @throws dev.odc.core.InvalidTransitionException when {@code r.status()} may not move there
   */
  public static Reservation to(
      Reservation r, ReservationStatus next, String actor, String reason, Instant now) {
    r.status().checkTransitionTo(next);
    List<StatusChange> history = new ArrayList<>(r.statusHistory());
    history.add(new StatusChange(next, now, actor, reason));
    return new Reservation(
        r.id(),
        r.userId(),
        r.username(),
        r.name(),
        r.gpuType(),
        r.gpuCount(),
        r.nodeCount(),
        r.image(),
        r.hours(),
        r.diskName(),
        r.labels(),
        next,
        next == ReservationStatus.FAILED ? reason : r.failureReason(),
        next.isTerminal() ? null : r.queuePosition(),
        next.isTerminal() ? null : r.estimatedStartAt(),
        r.namespace(),
        r.podName(),
        r.nodeName(),
        r.sshHost(),
        r.sshPort(),
        r.createdAt(),
        r.startedAt(),
        r.expiresAt(),
        next.isTerminal() ? now : r.endedAt(),
        r.warningsSent(),
        history,
        r.version());
  }

  /** When {@code r} entered its current status: the last matching history step, else creation. */
  public static Instant enteredCurrentStatus(Reservation r) {
    List<StatusChange> history = r.statusHistory();
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).status() == r.status()) {
        return history.get(i).at();
      }
    }
    return r.createdAt();
  }
}
