package dev.odc.api.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import java.util.Map;

/** Writes audit rows through {@link ApiQueries}, inside the caller's transaction. */
public final class AuditLog {
  private static final ObjectMapper MAPPER = Json.newMapper();

  private AuditLog() {}

  public static void record(
      ApiQueries queries,
      String actor,
      String action,
      String resourceType,
      String resourceId,
      String outcome,
      Map<String, ?> details) {
    queries.audit(actor, action, resourceType, resourceId, outcome, toJson(details));
  }

  /** JSON text of a value, for jsonb parameters. */
  public static String toJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON", e);
    }
  }
}
