package dev.odc.database;

import dev.odc.core.AuditEvent;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Writes audit rows. Use {@link #append(Handle, String, String, String, String, String, Map)}
 * inside the transaction of the change being audited, so the change and its audit row commit or
 * roll back together.
 *
 * <p>Actors and actions follow docs/dev/CONTRACTS.md: a username or {@code system:<component>};
 * {@code <resource>.<verb>}; outcome {@link AuditEvent#SUCCESS}, {@link AuditEvent#DENIED} or
 * {@link AuditEvent#FAILURE}. Details must never hold a token, key or secret.
 */
public final class AuditLog {
  private final Jdbi jdbi;

  public AuditLog(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Appends one row inside the caller's transaction. On Jdbi's core API: attaching {@link AuditDao}
   * for one statement builds a handler for each of its methods (see {@link ReservationRows}).
   */
  public static AuditEvent append(
      Handle handle,
      String actor,
      String action,
      String resourceType,
      String resourceId,
      String outcome,
      Map<String, ?> details) {
    return handle
        .createQuery(AuditDao.APPEND)
        .bind("actor", actor)
        .bind("action", action)
        .bind("resourceType", resourceType)
        .bind("resourceId", resourceId)
        .bind("outcome", outcome)
        .bind("details", Mappers.toJson(details == null ? Map.of() : details))
        .mapTo(AuditEvent.class)
        .one();
  }

  /** Appends one row in its own transaction, e.g. for a denied request that changes nothing. */
  public AuditEvent append(
      String actor,
      String action,
      String resourceType,
      String resourceId,
      String outcome,
      Map<String, ?> details) {
    return jdbi.inTransaction(
        h -> append(h, actor, action, resourceType, resourceId, outcome, details));
  }
}
