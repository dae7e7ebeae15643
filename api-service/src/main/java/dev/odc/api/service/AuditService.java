package dev.odc.api.service;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.db.ApiQueries;
import dev.odc.api.errors.ApiException;
import dev.odc.core.AuditEvent;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.Page;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Audit queries and the hash-chain check. */
public class AuditService {
  private static final int VERIFY_BATCH = 1000;
  private static final String GENESIS = "0".repeat(64);
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
   * Walks the whole chain in id order: each row must link to the previous row's hash and its own
   * hash must match its content.
   */
  public AuditVerification verify() {
    return jdbi.withExtension(
        ApiQueries.class,
        q -> {
          long checked = 0;
          long afterId = 0;
          String previous = GENESIS;
          while (true) {
            List<ApiQueries.ChainRow> rows = q.chainSlice(afterId, VERIFY_BATCH);
            if (rows.isEmpty()) {
              return new AuditVerification(true, checked, null, null);
            }
            for (ApiQueries.ChainRow row : rows) {
              checked++;
              if (!row.prevHash().equals(previous)) {
                return new AuditVerification(
                    false, checked, row.id(), "prev_hash does not match the previous row's hash");
              }
              if (!row.hash().equals(row.expected())) {
                return new AuditVerification(
                    false, checked, row.id(), "hash does not match the row's content");
              }
              previous = row.hash();
              afterId = row.id();
            }
          }
        });
  }
}
