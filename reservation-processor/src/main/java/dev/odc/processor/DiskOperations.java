package dev.odc.processor;

import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.queue.DiskOperationMessage;
import dev.odc.database.AuditLog;
import dev.odc.database.DiskDao;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.pgmq.QueueConsumer;
import dev.odc.providers.StorageBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@code disk_operations} messages ({@link DiskOperationMessage}), which the
 * api-service sends outside any reservation.
 *
 * <p>DELETE: the api-service soft-deleted the disk row; this removes the disk's claims (its current
 * {@code pvc_name} and its first claim {@link Names#claim}) through the {@link StorageBackend},
 * where a claim already gone counts as removed, and writes one {@code disk.delete} audit row with
 * actor {@link Processor#ACTOR}. Snapshots are left to snapshot retention. The message carries the
 * disk id, never its name, so a new disk that re-uses the name is never touched. Idempotent: a
 * repeated message deletes nothing more and writes no second audit row.
 *
 * <p>A disk still locked by a reservation (its claim may be mounted, or being snapshotted) is not
 * touched: the message is sent again with a delay of {@code recheck} and the current one acked, so
 * it does not use up its deliveries; a deleted disk can no longer be locked, so this ends when the
 * reservation releases the lock. Unknown disks and disks that are not deleted are dropped with a
 * log line.
 */
public final class DiskOperations {
  private static final Logger log = LoggerFactory.getLogger(DiskOperations.class);

  /** What {@link #handle} did with a message. */
  public enum Outcome {
    /** The disk's claims are gone (deleted now or earlier) and the audit row is written. */
    DELETED,
    /** The disk is locked by a reservation: the message was sent again for later. */
    DEFERRED,
    /** No disk has that id: dropped. */
    UNKNOWN_DISK,
    /** The disk row is not deleted: dropped. */
    NOT_DELETED
  }

  private final Jdbi jdbi;
  private final Pgmq pgmq;
  private final StorageBackend storage;
  private final String namespace;
  private final Duration recheck;

  public DiskOperations(
      Jdbi jdbi, Pgmq pgmq, StorageBackend storage, String namespace, Duration recheck) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi is null");
    this.pgmq = Objects.requireNonNull(pgmq, "pgmq is null");
    this.storage = Objects.requireNonNull(storage, "storage is null");
    this.namespace = Objects.requireNonNull(namespace, "namespace is null");
    this.recheck = Objects.requireNonNull(recheck, "recheck is null");
  }

  /**
   * Handles one message; idempotent. Throws (to have the message redelivered) only when the cluster
   * or the database fails.
   */
  public Outcome handle(DiskOperationMessage message) {
    return switch (message.operation()) {
      case DELETE -> delete(message);
    };
  }

  /** Called when a message ran out of deliveries: the claims stay; say what to clean up. */
  public void deadLetter(DiskOperationMessage message, Exception lastError) {
    if (message == null) {
      log.error("disk_operations: unreadable message dropped after its last delivery", lastError);
      return;
    }
    log.error(
        "disk_operations: {} of disk {} failed on every delivery and was dropped; its claims in"
            + " namespace {} may need removing by hand (docs/operations.md, 'Deleted disks')",
        message.operation(),
        message.diskId(),
        namespace,
        lastError);
  }

  private Outcome delete(DiskOperationMessage message) {
    UUID id = message.diskId();
    Optional<Disk> found = jdbi.withHandle(h -> h.attach(DiskDao.class).findById(id));
    if (found.isEmpty()) {
      log.warn("disk_operations: DELETE of unknown disk {}; message dropped", id);
      return Outcome.UNKNOWN_DISK;
    }
    Disk disk = found.get();
    if (!disk.deleted()) {
      log.warn(
          "disk_operations: DELETE of disk {} ({}), which is not deleted; message dropped",
          id,
          disk.name());
      return Outcome.NOT_DELETED;
    }
    if (disk.inUse()) {
      pgmq.send(DiskOperationMessage.QUEUE, message, recheck);
      log.info(
          "disk_operations: deleted disk {} is still locked by reservation {}; checking again in"
              + " {} s",
          id,
          disk.inUseBy(),
          recheck.toSeconds());
      return Outcome.DEFERRED;
    }
    Set<String> claims = new LinkedHashSet<>();
    if (disk.pvcName() != null) {
      claims.add(disk.pvcName());
    }
    claims.add(Names.claim(id));
    List<String> removed = new ArrayList<>();
    for (String claim : claims) {
      if (storage.deleteClaim(namespace, claim)) {
        removed.add(claim);
      }
    }
    boolean audited =
        jdbi.inTransaction(
            h -> {
              // one row per disk, however often the message comes: lock the disk row so two
              // consumers cannot both see "no row yet"
              h.createQuery("select id from disks where id = :id for update")
                  .bind("id", id)
                  .mapToMap()
                  .list();
              boolean exists =
                  h.createQuery(
                              "select count(*) from audit_log where actor = :actor and action ="
                                  + " 'disk.delete' and resource_type = 'disk' and resource_id = :id")
                          .bind("actor", Processor.ACTOR)
                          .bind("id", id.toString())
                          .mapTo(Long.class)
                          .one()
                      > 0;
              if (exists) {
                return false;
              }
              Map<String, Object> details = new LinkedHashMap<>();
              details.put("name", disk.name());
              details.put("claims", List.copyOf(claims));
              details.put("deleted", List.copyOf(removed));
              AuditLog.append(
                  h,
                  Processor.ACTOR,
                  "disk.delete",
                  "disk",
                  id.toString(),
                  AuditEvent.SUCCESS,
                  details);
              return true;
            });
    log.info(
        "disk_operations: deleted disk {} ({}): claims {} removed, {} already gone{}",
        id,
        disk.name(),
        removed,
        claims.size() - removed.size(),
        audited ? "" : " (repeated message)");
    return Outcome.DELETED;
  }

  /** A one-thread consumer of {@code disk_operations} for {@link Processor#start}. */
  QueueConsumer<DiskOperationMessage> consumer(
      DataSource listenDataSource, ProcessorSettings settings) {
    return settings
        .deliveryOf(
            QueueConsumer.builder(
                    pgmq, listenDataSource, DiskOperationMessage.QUEUE, DiskOperationMessage.class)
                .handler(m -> handle(m.message()))
                .deadLetter(d -> deadLetter(d.message(), d.lastError())))
        .threads(1)
        .build();
  }
}
