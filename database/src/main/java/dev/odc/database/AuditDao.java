package dev.odc.database;

import dev.odc.core.AuditEvent;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.Page;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The append-only {@code audit_log}. Rows are only ever inserted: the database rejects UPDATE,
 * DELETE and TRUNCATE. The insert trigger assigns id, time and the hash chain; {@link #verify()}
 * walks the chain.
 *
 * <p>To audit inside another operation's transaction use {@link AuditLog#append(Handle, String,
 * String, String, String, String, Map)}.
 */
public interface AuditDao extends SqlObject {
  String COLUMNS =
      "id, at, actor, action, resource_type, resource_id, outcome, details, prev_hash, hash";

  String GENESIS_HASH = "0".repeat(64);

  /** Appends one row. @return the row as stored, with its id, time and hashes */
  default AuditEvent append(
      String actor,
      String action,
      String resourceType,
      String resourceId,
      String outcome,
      Map<String, ?> details) {
    return AuditLog.append(getHandle(), actor, action, resourceType, resourceId, outcome, details);
  }

  /** Inserts one row and returns it (its id, time and hashes come from the database). */
  String APPEND =
      "insert into audit_log (actor, action, resource_type, resource_id, outcome, details)"
          + " values (:actor, :action, :resourceType, :resourceId, :outcome,"
          + " cast(:details as jsonb)) returning "
          + COLUMNS;

  /**
   * One page of the log, newest first.
   *
   * @param cursor {@link Page#nextCursor()} of the previous page, or null for the first
   * @param limit page size, 1 to 1000
   */
  default Page<AuditEvent> query(AuditQuery q, String cursor, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
    }
    Long beforeId = null;
    if (cursor != null && !cursor.isEmpty()) {
      try {
        beforeId = Long.parseLong(cursor);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("cursor is invalid", e);
      }
    }
    AuditQuery filter = q == null ? AuditQuery.all() : q;
    List<AuditEvent> rows =
        queryRows(
            filter.actor(),
            filter.action(),
            filter.resourceType(),
            filter.resourceId(),
            filter.outcome(),
            filter.from(),
            filter.to(),
            beforeId,
            limit + 1);
    if (rows.size() <= limit) {
      return new Page<>(rows, null);
    }
    return new Page<>(rows.subList(0, limit), Long.toString(rows.get(limit - 1).id()));
  }

  @SqlQuery(
      "select "
          + COLUMNS
          + " from audit_log where (cast(:actor as text) is null or actor = :actor)"
          + " and (cast(:action as text) is null or action = :action)"
          + " and (cast(:resourceType as text) is null or resource_type = :resourceType)"
          + " and (cast(:resourceId as text) is null or resource_id = :resourceId)"
          + " and (cast(:outcome as text) is null or outcome = :outcome)"
          + " and (cast(:from as timestamptz) is null or at >= :from)"
          + " and (cast(:to as timestamptz) is null or at < :to)"
          + " and (cast(:beforeId as bigint) is null or id < :beforeId)"
          + " order by id desc limit :limit")
  List<AuditEvent> queryRows(
      @Bind("actor") String actor,
      @Bind("action") String action,
      @Bind("resourceType") String resourceType,
      @Bind("resourceId") String resourceId,
      @Bind("outcome") String outcome,
      @Bind("from") Instant from,
      @Bind("to") Instant to,
      @Bind("beforeId") Long beforeId,
      @Bind("limit") int limit);

  @SqlQuery("select count(*) from audit_log")
  long count();

  /**
   * A point of the chain recorded outside the database (see docs/security.md): the id and hash of
   * the row that was the newest when it was taken, and how many rows there were.
   */
  record Anchor(long id, String hash, long rows) {
    public Anchor {
      if (id < 1 || hash == null || !hash.matches("[0-9a-f]{64}") || rows < 0) {
        throw new IllegalArgumentException("an anchor is a row id >= 1 and a 64-digit hex hash");
      }
    }
  }

  /** The newest row's id and hash and the row count now; empty while the log is empty. */
  default java.util.Optional<Anchor> head() {
    return getHandle()
        .inTransaction(
            h ->
                h.createQuery(
                        "select id, hash, (select count(*) from audit_log) as rows from audit_log"
                            + " order by id desc limit 1")
                    .map(
                        (rs, ctx) ->
                            new Anchor(rs.getLong("id"), rs.getString("hash"), rs.getLong("rows")))
                    .findOne());
  }

  /** {@link #verify(Anchor)} without an anchor. */
  default AuditVerification verify() {
    return verify(null);
  }

  /**
   * Walks the whole chain in id order and recomputes every hash in the database (the same function
   * the insert trigger uses). A row is broken when its {@code prev_hash} is not the previous row's
   * {@code hash} (a row was removed or altered before it), its {@code hash} does not match its
   * content (the row itself was altered), or its id does not follow the previous row's (a row was
   * removed; ids have no gaps since they are assigned under the chain's lock). With an {@code
   * anchor} taken earlier, the anchored row must still be there with the same hash: this is what
   * shows removed newest rows (nothing after them links to them) and a history rewritten with
   * recomputed hashes (the hash has no key).
   */
  default AuditVerification verify(Anchor anchor) {
    Handle handle = getHandle();
    return handle.inTransaction(
        h -> {
          long gaplessAfter =
              h.createQuery("select gapless_after from audit_log_meta")
                  .mapTo(Long.class)
                  .findOne()
                  .orElse(0L);
          long checked = 0;
          long previousId = 0;
          String previous = GENESIS_HASH;
          boolean anchorSeen = false;
          try (var rows =
              h.createQuery(
                      "select id, prev_hash, hash, odc_audit_hash(prev_hash, id, at, actor, action,"
                          + " resource_type, resource_id, outcome, details) as expected"
                          + " from audit_log order by id")
                  .setFetchSize(1000)
                  .map(
                      (rs, ctx) ->
                          new ChainRow(
                              rs.getLong("id"),
                              rs.getString("prev_hash"),
                              rs.getString("hash"),
                              rs.getString("expected")))
                  .iterator()) {
            while (rows.hasNext()) {
              ChainRow row = rows.next();
              checked++;
              if (!row.prevHash().equals(previous)) {
                return new AuditVerification(
                    false,
                    checked,
                    row.id(),
                    "row "
                        + row.id()
                        + ": prev_hash does not match the previous row's hash"
                        + " (a row before it was removed or altered)");
              }
              if (!row.hash().equals(row.expected())) {
                return new AuditVerification(
                    false,
                    checked,
                    row.id(),
                    "row " + row.id() + ": hash does not match its content (the row was altered)");
              }
              if (row.id() > gaplessAfter
                  && previousId >= gaplessAfter
                  && row.id() != previousId + 1) {
                return new AuditVerification(
                    false,
                    checked,
                    row.id(),
                    "row "
                        + row.id()
                        + " follows row "
                        + previousId
                        + ": the rows between were removed");
              }
              if (anchor != null && row.id() == anchor.id()) {
                if (!row.hash().equals(anchor.hash())) {
                  return new AuditVerification(
                      false,
                      checked,
                      row.id(),
                      "row "
                          + row.id()
                          + ": hash differs from the anchor taken earlier (the history up to it"
                          + " was rewritten)");
                }
                anchorSeen = true;
              }
              previous = row.hash();
              previousId = row.id();
            }
          }
          if (anchor != null && !anchorSeen) {
            return new AuditVerification(
                false,
                checked,
                anchor.id(),
                "row "
                    + anchor.id()
                    + " of the anchor taken earlier is missing; the newest row is "
                    + previousId
                    + " (rows at the end were removed)");
          }
          if (anchor != null && checked < anchor.rows()) {
            return new AuditVerification(
                false,
                checked,
                anchor.id(),
                "there are "
                    + checked
                    + " rows, fewer than the "
                    + anchor.rows()
                    + " of the anchor taken earlier (rows were removed)");
          }
          return new AuditVerification(true, checked, null, null);
        });
  }

  /** One row of the chain walk. */
  record ChainRow(long id, String prevHash, String hash, String expected) {}
}
