package dev.odc.processor.leases;

import dev.odc.database.ReservationRows;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The row leases this processor holds: a lease ({@code workerId}, {@code ttl}) on a reservation's
 * row keeps two replicas from working one reservation at once. Taken when a message is handled,
 * renewed in the background and before each step, released when the message is done.
 */
public final class Leases {
  private static final Logger log = LoggerFactory.getLogger(Leases.class);

  private final Jdbi jdbi;
  private final String workerId;
  private final Duration ttl;
  private final Set<UUID> held = ConcurrentHashMap.newKeySet();
  private final Map<UUID, Long> renewedAt = new ConcurrentHashMap<>();

  public Leases(Jdbi jdbi, String workerId, Duration ttl) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.workerId = Objects.requireNonNull(workerId, "workerId is null");
    this.ttl = Objects.requireNonNull(ttl, "ttl is null");
  }

  /** How often {@link #renewAll} should run: a third of the TTL, at least every 100 ms. */
  public Duration renewInterval() {
    return Duration.ofMillis(Math.max(100, ttl.toMillis() / 3));
  }

  /**
   * Takes the lease of {@code id} for the work in hand.
   *
   * @return false when another live processor holds it
   */
  public boolean acquire(UUID id) {
    long start = System.nanoTime();
    if (!tryAcquire(id)) {
      return false;
    }
    held.add(id);
    renewedAt.put(id, start);
    return true;
  }

  /** Lets go of the lease of {@code id}, in memory and in its row. */
  public void release(UUID id) {
    held.remove(id);
    renewedAt.remove(id);
    jdbi.useHandle(h -> ReservationRows.releaseLease(h, id, workerId));
  }

  /** Keeps the leases of work in progress alive, so the sweep of another replica leaves it be. */
  public void renewAll() {
    for (UUID id : held) {
      try {
        long before = System.nanoTime();
        if (tryAcquire(id)) {
          // only while the work is in hand: release() drops the entry when it lets go
          renewedAt.computeIfPresent(id, (k, v) -> before - v > 0 ? before : v);
        } else {
          log.warn("Lost the lease of reservation {} to another processor", id);
        }
      } catch (RuntimeException e) {
        log.warn("Could not renew the lease of reservation {}", id, e);
      }
    }
  }

  /**
   * Before a step: a lease taken over by another processor (ours ran out) stops this one, so the
   * two never work the same reservation. Nothing to check for work not under a lease.
   *
   * @throws LeaseHeldException when another processor holds the lease now
   */
  public void ensureHeld(UUID id) {
    if (!held.contains(id)) {
      return;
    }
    // The lease runs the TTL from the database's clock at the renewal, which is after the local
    // time taken before it: renewed less than a third of the TTL ago, it cannot have run out, so
    // no other processor can hold it, and the round trip is saved.
    long now = System.nanoTime();
    Long renewed = renewedAt.get(id);
    if (renewed != null && now - renewed < ttl.toNanos() / 3) {
      return;
    }
    if (!tryAcquire(id)) {
      throw new LeaseHeldException(id);
    }
    renewedAt.put(id, now);
  }

  private boolean tryAcquire(UUID id) {
    return jdbi.withHandle(h -> ReservationRows.acquireLease(h, id, workerId, ttl));
  }
}
