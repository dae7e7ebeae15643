package dev.odc.api.auth;

import java.time.Duration;

/**
 * At most {@code limit} audit rows per window for events anyone can cause without credentials
 * (refused logins): each row takes the audit chain's global lock, so an unbounded stream of them
 * would be a lever on every writer. What is left out is counted and reported with the next row.
 */
public final class AuditRateLimit {
  private final int limit;
  private final long windowNanos;
  private long windowStart;
  private int used;
  private long suppressed;

  public AuditRateLimit(int limit, Duration window) {
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.windowStart = System.nanoTime() - windowNanos;
  }

  /**
   * @return -1 when this event must not be written; else how many were left out before it
   */
  public synchronized long tryAcquire() {
    long now = System.nanoTime();
    if (now - windowStart >= windowNanos) {
      windowStart = now;
      used = 0;
    }
    if (used >= limit) {
      suppressed++;
      return -1;
    }
    used++;
    long before = suppressed;
    suppressed = 0;
    return before;
  }
}
