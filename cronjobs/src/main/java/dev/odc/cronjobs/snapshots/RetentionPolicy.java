package dev.odc.cronjobs.snapshots;

import dev.odc.core.Checks;
import java.time.Duration;

/**
 * @param keepNewest ready snapshots per live disk that are always kept [3]
 * @param maxAge older snapshots beyond the newest {@code keepNewest} go [7 days]; also the
 *     retention of a soft-deleted disk's snapshots when they carry no {@code retained_until}
 * @param maxDeletionsPerRun a bound on the damage a wrong rule or bad data can do in one run [10]
 * @param neverReadyLimit a snapshot not ready this long after creation is reported and removed
 */
public record RetentionPolicy(
    int keepNewest, Duration maxAge, int maxDeletionsPerRun, Duration neverReadyLimit) {
  public RetentionPolicy {
    Checks.nonNegative(keepNewest, "keepNewest");
    Checks.notNull(maxAge, "maxAge");
    Checks.positive(maxDeletionsPerRun, "maxDeletionsPerRun");
    Checks.notNull(neverReadyLimit, "neverReadyLimit");
    if (maxAge.isNegative() || neverReadyLimit.isNegative()) {
      throw new IllegalArgumentException("retention durations must not be negative");
    }
  }

  public static RetentionPolicy defaults() {
    return new RetentionPolicy(3, Duration.ofDays(7), 10, Duration.ofHours(6));
  }
}
