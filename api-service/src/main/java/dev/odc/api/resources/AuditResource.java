package dev.odc.api.resources;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.service.AuditService;
import dev.odc.core.AuditEvent;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.Page;
import dev.odc.database.AuditDao;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** {@code /v1/audit}: admins see every event, users the events they caused. */
@Path("/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
  private final AuditService audit;

  public AuditResource(AuditService audit) {
    this.audit = audit;
  }

  @GET
  @PermitAll
  public Page<AuditEvent> find(
      @Auth OdcPrincipal caller,
      @QueryParam("actor") String actor,
      @QueryParam("action") String action,
      @QueryParam("resourceType") String resourceType,
      @QueryParam("resourceId") String resourceId,
      @QueryParam("outcome") String outcome,
      @QueryParam("since") String since,
      @QueryParam("until") String until,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    return audit.find(
        caller,
        new AuditService.Filter(actor, action, resourceType, resourceId, outcome, since, until),
        cursor,
        limit);
  }

  /**
   * Checks the chain; with {@code anchorId} and {@code anchorHash} (from {@code /v1/audit/anchor}
   * at an earlier time, kept outside the database) also that the history up to it is unchanged and
   * complete.
   */
  @GET
  @Path("/verify")
  @RolesAllowed("ADMIN")
  public AuditVerification verify(
      @Auth OdcPrincipal caller,
      @QueryParam("anchorId") Long anchorId,
      @QueryParam("anchorHash") String anchorHash,
      @QueryParam("anchorRows") Long anchorRows) {
    return audit.verify(anchorId, anchorHash, anchorRows);
  }

  /** The newest row's id and hash and the row count, to keep outside the database. */
  @GET
  @Path("/anchor")
  @RolesAllowed("ADMIN")
  public AuditDao.Anchor anchor(@Auth OdcPrincipal caller) {
    return audit.anchor();
  }
}
