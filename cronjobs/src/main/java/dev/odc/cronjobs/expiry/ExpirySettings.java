package dev.odc.cronjobs.expiry;

import dev.odc.core.Checks;
import java.time.Duration;
import java.util.List;

/**
 * @param warningMinutes minutes before expiry at which users are warned, e.g. 30, 15, 5
 * @param grace how long after {@code expires_at} the EXPIRE is enqueued
 * @param preparingLimit a reservation PREPARING longer than this is FAILED
 * @param queuedLimit a reservation QUEUED longer than this is CANCELLED
 * @param vanishedPodGrace an ACTIVE reservation must be at least this old before a missing pod
 *     counts as vanished (the informer caches of a fresh start may lag)
 */
public record ExpirySettings(
    List<Integer> warningMinutes,
    Duration grace,
    Duration preparingLimit,
    Duration queuedLimit,
    Duration vanishedPodGrace) {
  public ExpirySettings {
    warningMinutes = List.copyOf(Checks.notNull(warningMinutes, "warningMinutes"));
    for (int m : warningMinutes) {
      Checks.positive(m, "warningMinutes");
    }
    Checks.notNull(grace, "grace");
    Checks.notNull(preparingLimit, "preparingLimit");
    Checks.notNull(queuedLimit, "queuedLimit");
    Checks.notNull(vanishedPodGrace, "vanishedPodGrace");
    if (grace.isNegative() || preparingLimit.isNegative() || queuedLimit.isNegative()) {
      throw new IllegalArgumentException("expiry durations must not be negative");
    }
  }

  public static ExpirySettings defaults() {
    return new ExpirySettings(
        List.of(30, 15, 5),
        Duration.ofMinutes(5),
        Duration.ofMinutes(30),
        Duration.ofHours(24),
        Duration.ofMinutes(2));
  }
}
