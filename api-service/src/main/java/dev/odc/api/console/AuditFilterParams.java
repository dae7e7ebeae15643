package dev.odc.api.console;

import dev.odc.api.service.AuditService;
import jakarta.ws.rs.QueryParam;

/** The audit filters of {@code GET /v1/audit}, as query parameters of the console's calls. */
public class AuditFilterParams {
  @QueryParam("actor")
  String actor;

  @QueryParam("action")
  String action;

  @QueryParam("resourceType")
  String resourceType;

  @QueryParam("resourceId")
  String resourceId;

  @QueryParam("outcome")
  String outcome;

  @QueryParam("since")
  String since;

  @QueryParam("until")
  String until;

  AuditService.Filter filter() {
    return new AuditService.Filter(actor, action, resourceType, resourceId, outcome, since, until);
  }
}
