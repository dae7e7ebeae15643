package dev.odc.core;

import java.time.Instant;
import java.util.Map;

/**
 * One row of the append-only audit log.
 *
 * @param actor who acted: a username, or {@code system:<component>} for the platform
 * @param outcome {@code success}, {@code denied} or {@code failure}
 * @param prevHash hex SHA-256 of the previous row; the chain makes tampering detectable
 * @param hash hex SHA-256 of this row's content and {@code prevHash}
 */
public record AuditEvent(
    long id,
    Instant at,
    String actor,
    String action,
    String resourceType,
    String resourceId,
    String outcome,
    Map<String, Object> details,
    String prevHash,
    String hash) {
  public AuditEvent {
    Checks.notNull(at, "at");
    Checks.notBlank(actor, "actor");
    Checks.notBlank(action, "action");
    Checks.notBlank(resourceType, "resourceType");
    Checks.notBlank(outcome, "outcome");
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  public static final String SUCCESS = "success";
  public static final String DENIED = "denied";
  public static final String FAILURE = "failure";
}
