package dev.odc.api.service;

import dev.odc.database.AuditDao;
import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit log's head (newest id, its hash, the row count) to the service log at a fixed
 * interval. Logs leave the database host, so these lines are anchors an attacker with the
 * database's owner rights cannot reach: {@code GET /v1/audit/verify?anchorId=&anchorHash=} with any
 * of them shows removed newest rows or a rewritten history (docs/security.md).
 */
public class AuditAnchorLog implements Managed {
  private static final Logger log = LoggerFactory.getLogger(AuditAnchorLog.class);
  private final Jdbi jdbi;
  private final Duration interval;
  private ScheduledExecutorService scheduler;

  public AuditAnchorLog(Jdbi jdbi, Duration interval) {
    this.jdbi = jdbi;
    this.interval = interval;
  }

  @Override
  public void start() {
    if (interval.isZero() || interval.isNegative()) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "audit-anchor");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(
        this::logHead, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  void logHead() {
    try {
      jdbi.withExtension(AuditDao.class, AuditDao::head)
          .ifPresent(
              head ->
                  log.info(
                      "audit anchor id={} hash={} rows={}", head.id(), head.hash(), head.rows()));
    } catch (RuntimeException e) {
      log.warn("Could not read the audit log's head: {}", e.toString());
    }
  }

  @Override
  public void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
