package dev.odc.api.service;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.db.ApiQueries;
import dev.odc.api.errors.ApiException;
import dev.odc.core.AuditEvent;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.Page;
import dev.odc.database.AuditDao;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Audit queries and the hash-chain check. */
public class AuditService {
  private final Jdbi jdbi;

  public AuditService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Filters; users see only the events they caused, whatever {@code actor} they ask for. */
  public record Filter(
      String actor,
      String action,
      String resourceType,
      String resourceId,
      String outcome,
      String since,
      String until) {}

  public Page<AuditEvent> find(OdcPrincipal caller, Filter filter, String cursor, Integer limit) {
    int size = Pages.limit(limit);
    long beforeId = Long.MAX_VALUE;
    if (cursor != null && !cursor.isEmpty()) {
      try {
        beforeId = Long.parseLong(cursor);
      } catch (NumberFormatException e) {
        throw ApiException.invalid("cursor", "cursor is invalid");
      }
    }
    String actor = blankToNull(filter.actor());
    if (!caller.isAdmin()) {
      if (actor != null && !actor.equals(caller.getName())) {
        // not an error: a user's view of the log simply has no one else in it
        return new Page<>(List.of(), null);
      }
      actor = caller.getName();
    }
    String outcome = blankToNull(filter.outcome());
    if (outcome != null
        && !List.of(AuditEvent.SUCCESS, AuditEvent.DENIED, AuditEvent.FAILURE).contains(outcome)) {
      throw ApiException.invalid("outcome", "outcome must be success, denied or failure");
    }
    Instant since = Validation.instant(filter.since(), "since");
    Instant until = Validation.instant(filter.until(), "until");
    long before = beforeId;
    String actorFilter = actor;
    List<AuditEvent> rows =
        jdbi.withExtension(
            ApiQueries.class,
            q ->
                q.findAudit(
                    before,
                    actorFilter,
                    blankToNull(filter.action()),
                    blankToNull(filter.resourceType()),
                    blankToNull(filter.resourceId()),
                    outcome,
                    since,
                    until,
                    size + 1));
    if (rows.size() <= size) {
      return new Page<>(rows, null);
    }
    List<AuditEvent> items = rows.subList(0, size);
    return new Page<>(items, Long.toString(items.get(size - 1).id()));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  /**
   * Walks the whole chain ({@link AuditDao#verify(AuditDao.Anchor)}): links, hashes, ids without
   * gaps, and when an anchor taken earlier is given, that its row is still there unchanged.
   *
   * @param anchorId the anchor's row id, or null for none
   * @param anchorHash the anchor's row hash (64 hex digits), required with {@code anchorId}
   * @param anchorRows the row count of the anchor, or null
   */
  public AuditVerification verify(Long anchorId, String anchorHash, Long anchorRows) {
    AuditDao.Anchor anchor = null;
    if (anchorId != null || anchorHash != null) {
      if (anchorId == null || anchorHash == null) {
        throw ApiException.invalid("anchorId", "anchorId and anchorHash go together");
      }
      try {
        anchor = new AuditDao.Anchor(anchorId, anchorHash, anchorRows == null ? 0 : anchorRows);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid("anchorHash", e.getMessage());
      }
    }
    AuditDao.Anchor expected = anchor;
    return jdbi.withExtension(AuditDao.class, dao -> dao.verify(expected));
  }

  /** The newest row's id and hash and the row count: what to keep outside the database. */
  public AuditDao.Anchor anchor() {
    return jdbi.withExtension(AuditDao.class, AuditDao::head)
        .orElseThrow(() -> ApiException.notFound("audit row", "any"));
  }
}
