package dev.odc.cronjobs.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Checks;
import dev.odc.core.Json;
import dev.odc.database.AuditLog;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** Writes the audit rows of one job, with actor {@code system:cronjobs:<job>}. */
public final class Audit {
  private static final ObjectMapper MAPPER = Json.newMapper();

  private final String actor;

  public Audit(String job) {
    this.actor = "system:cronjobs:" + Checks.notBlank(job, "job");
  }

  public String actor() {
    return actor;
  }

  /** Appends a row in the caller's transaction, so the action and its record commit together. */
  public void write(
      Handle handle,
      String action,
      String resourceType,
      String resourceId,
      String outcome,
      Map<String, ?> details) {
    AuditLog.append(handle, actor, action, resourceType, resourceId, outcome, details);
  }

  public static String json(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write JSON for " + value.getClass().getName(), e);
    }
  }
}
