package dev.odc.api.ssh;

import dev.odc.core.ReservationStatus;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnels this api-service has open, by reservation. A periodic check closes those whose
 * reservation is no longer ACTIVE (cancelled, expired, failed), whichever process changed it.
 */
public class OpenTunnels implements Managed {
  private static final Logger log = LoggerFactory.getLogger(OpenTunnels.class);

  /** A tunnel as the registry sees it: something it can close with a reason. */
  public interface Tunnel {
    void closeBecause(String reason);
  }

  private final Jdbi jdbi;
  private final Duration interval;
  private final Map<UUID, Set<Tunnel>> open = new ConcurrentHashMap<>();
  private ScheduledExecutorService scheduler;

  public OpenTunnels(Jdbi jdbi, Duration interval) {
    this.jdbi = jdbi;
    this.interval = interval;
  }

  public void add(UUID reservation, Tunnel tunnel) {
    open.computeIfAbsent(reservation, id -> ConcurrentHashMap.newKeySet()).add(tunnel);
  }

  public void remove(UUID reservation, Tunnel tunnel) {
    open.computeIfPresent(
        reservation,
        (id, tunnels) -> {
          tunnels.remove(tunnel);
          return tunnels.isEmpty() ? null : tunnels;
        });
  }

  /** The number of open tunnels of a reservation. */
  public int count(UUID reservation) {
    Set<Tunnel> tunnels = open.get(reservation);
    return tunnels == null ? 0 : tunnels.size();
  }

  /** Closes the tunnels of reservations that are no longer ACTIVE; returns how many. */
  public int closeEnded() {
    if (open.isEmpty()) {
      return 0;
    }
    UUID[] ids = open.keySet().toArray(UUID[]::new);
    Map<UUID, String> statuses = new HashMap<>();
    jdbi.useHandle(
        h ->
            h.createQuery("select id, status from reservations where id = any(:ids)")
                .bind("ids", ids)
                .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2)))
                .forEach(e -> statuses.put(e.getKey(), e.getValue())));
    int closed = 0;
    for (UUID id : ids) {
      String status = statuses.getOrDefault(id, "deleted");
      if (!ReservationStatus.ACTIVE.name().equals(status)) {
        Set<Tunnel> tunnels = open.remove(id);
        for (Tunnel t : tunnels == null ? Set.<Tunnel>of() : tunnels) {
          t.closeBecause("reservation " + id.toString().substring(0, 8) + " is " + status);
          closed++;
        }
      }
    }
    if (closed > 0) {
      log.info("Closed {} tunnels of reservations that ended", closed);
    }
    return closed;
  }

  @Override
  public void start() {
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("tunnel-check").daemon().unstarted(r));
    scheduler.scheduleWithFixedDelay(
        this::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void checkQuietly() {
    try {
      closeEnded();
    } catch (RuntimeException e) {
      // the next round tries again; a database outage must not end the schedule
      log.warn("Checking open tunnels failed: {}", e.toString());
    }
  }

  @Override
  public void stop() throws InterruptedException {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
    List<Tunnel> all = open.values().stream().flatMap(Set::stream).toList();
    open.clear();
    all.forEach(t -> t.closeBecause("the api-service is stopping"));
  }
}
