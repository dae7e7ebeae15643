package dev.odc.database;

import java.time.Instant;

/**
 * Filters of an audit log query; null fields do not filter.
 *
 * @param from rows at or after this time
 * @param to rows before this time
 */
public record AuditQuery(
    String actor,
    String action,
    String resourceType,
    String resourceId,
    String outcome,
    Instant from,
    Instant to) {
  public AuditQuery {
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
  }

  /** No filter: the whole log. */
  public static AuditQuery all() {
    return new AuditQuery(null, null, null, null, null, null, null);
  }

  public AuditQuery withActor(String value) {
    return new AuditQuery(value, action, resourceType, resourceId, outcome, from, to);
  }

  public AuditQuery withAction(String value) {
    return new AuditQuery(actor, value, resourceType, resourceId, outcome, from, to);
  }

  public AuditQuery withResource(String type, String id) {
    return new AuditQuery(actor, action, type, id, outcome, from, to);
  }

  public AuditQuery withOutcome(String value) {
    return new AuditQuery(actor, action, resourceType, resourceId, value, from, to);
  }

  public AuditQuery withTimeRange(Instant fromInclusive, Instant toExclusive) {
    return new AuditQuery(
        actor, action, resourceType, resourceId, outcome, fromInclusive, toExclusive);
  }
}
