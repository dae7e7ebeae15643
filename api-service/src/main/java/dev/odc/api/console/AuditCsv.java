package dev.odc.api.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.AuditEvent;
import dev.odc.core.Json;

/** Audit events as RFC 4180 CSV, one row per event, details as a JSON cell. */
final class AuditCsv {
  private static final ObjectMapper MAPPER = Json.newMapper();
  static final String HEADER = "id,at,actor,action,resourceType,resourceId,outcome,details,hash";

  private final StringBuilder text = new StringBuilder(HEADER).append("\r\n");
  private int rows;

  void add(AuditEvent e) {
    String details;
    try {
      details = MAPPER.writeValueAsString(e.details());
    } catch (JsonProcessingException ex) {
      details = "";
    }
    text.append(e.id())
        .append(',')
        .append(cell(e.at().toString()))
        .append(',')
        .append(cell(e.actor()))
        .append(',')
        .append(cell(e.action()))
        .append(',')
        .append(cell(e.resourceType()))
        .append(',')
        .append(cell(e.resourceId()))
        .append(',')
        .append(cell(e.outcome()))
        .append(',')
        .append(cell(details))
        .append(',')
        .append(cell(e.hash()))
        .append("\r\n");
    rows++;
  }

  int rows() {
    return rows;
  }

  String text() {
    return text.toString();
  }

  /**
   * Quotes every cell; a leading {@code = + - @} is prefixed with an apostrophe so a spreadsheet
   * does not run a user-chosen value (a reservation name, a label) as a formula.
   */
  static String cell(String value) {
    if (value == null) {
      return "";
    }
    String safe =
        !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    return '"' + safe.replace("\"", "\"\"") + '"';
  }
}
