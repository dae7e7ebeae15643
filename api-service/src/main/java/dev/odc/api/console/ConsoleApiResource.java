package dev.odc.api.console;

import dev.odc.api.ApiConfiguration.LimitsConfig;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.service.AuditService;
import dev.odc.api.service.AvailabilityService;
import dev.odc.api.service.DiskService;
import dev.odc.api.service.ReservationService;
import dev.odc.api.service.UserService;
import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Reservation;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.Availability;
import dev.odc.core.api.CreateDiskRequest;
import dev.odc.core.api.CreateReservationRequest;
import dev.odc.core.api.ExtendReservationRequest;
import dev.odc.core.api.Page;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The console's JSON calls, under {@code /console/api}. Each is one call of the API's service layer
 * with the session's principal, so a user can see and do here exactly what the API lets them; admin
 * calls are refused to non-admins by {@link ConsoleSessionFilter} and again by the services where
 * the API's are.
 */
@Path("/console/api")
@ConsoleSecured
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleApiResource {
  /** The most rows one CSV export holds; the page says so when an export is cut. */
  static final int CSV_MAX_ROWS = 10_000;

  private final ReservationService reservations;
  private final DiskService disks;
  private final AuditService audit;
  private final AvailabilityService availability;
  private final UserService users;
  private final LimitsConfig limits;

  public ConsoleApiResource(
      ReservationService reservations,
      DiskService disks,
      AuditService audit,
      AvailabilityService availability,
      UserService users,
      LimitsConfig limits) {
    this.reservations = reservations;
    this.disks = disks;
    this.audit = audit;
    this.availability = availability;
    this.users = users;
    this.limits = limits;
  }

  /** Who is signed in, and the token state-changing calls must send in X-CSRF-Token. */
  public record SessionInfo(
      String username,
      String email,
      Set<Role> roles,
      boolean admin,
      String csrfToken,
      Instant expiresAt,
      LimitsView limits) {}

  /** The limits the reservation form checks before the server does. */
  public record LimitsView(
      int maxConcurrentGpus,
      double maxHoursPerReservation,
      double maxTotalHours,
      int maxNodeCount) {}

  @GET
  @Path("session")
  public SessionInfo session(@Context ContainerRequestContext request) {
    ConsoleSessions.Session session = ConsoleSessionFilter.session(request);
    OdcPrincipal caller = session.principal();
    return new SessionInfo(
        caller.getName(),
        caller.user().email(),
        caller.roles(),
        caller.isAdmin(),
        session.csrfToken(),
        session.expiresAt(),
        new LimitsView(
            limits.maxConcurrentGpus,
            limits.maxHoursPerReservation,
            limits.maxTotalHours,
            limits.maxNodeCount));
  }

  @GET
  @Path("availability")
  public Availability availability() {
    return availability.current();
  }

  @GET
  @Path("availability/history")
  public AvailabilityService.History history() {
    return availability.history(Duration.ofDays(1), 48);
  }

  @GET
  @Path("reservations")
  public Page<Reservation> reservations(
      @Context SecurityContext security,
      @QueryParam("status") String status,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    return reservations.list(caller(security), null, false, status, cursor, limit);
  }

  @POST
  @Path("reservations")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(@Context SecurityContext security, CreateReservationRequest request) {
    return Response.accepted(reservations.create(caller(security), request)).build();
  }

  @GET
  @Path("reservations/{id}")
  public Reservation reservation(@Context SecurityContext security, @PathParam("id") String id) {
    return reservations.get(caller(security), id);
  }

  @POST
  @Path("reservations/{id}/cancel")
  public Reservation cancel(@Context SecurityContext security, @PathParam("id") String id) {
    return reservations.cancel(caller(security), id);
  }

  @POST
  @Path("reservations/{id}/extend")
  @Consumes(MediaType.APPLICATION_JSON)
  public Reservation extend(
      @Context SecurityContext security,
      @PathParam("id") String id,
      ExtendReservationRequest request) {
    return reservations.extend(caller(security), id, request == null ? null : request.hours());
  }

  @GET
  @Path("disks")
  public Page<Disk> disks(
      @Context SecurityContext security,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    return disks.list(caller(security), cursor, limit);
  }

  @POST
  @Path("disks")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response createDisk(@Context SecurityContext security, CreateDiskRequest request) {
    return Response.status(Response.Status.CREATED)
        .entity(disks.create(caller(security), request))
        .build();
  }

  @DELETE
  @Path("disks/{name}")
  public Disk deleteDisk(@Context SecurityContext security, @PathParam("name") String name) {
    return disks.delete(caller(security), name);
  }

  @GET
  @Path("disks/{name}/snapshots")
  public List<DiskSnapshot> snapshots(
      @Context SecurityContext security, @PathParam("name") String name) {
    return disks.snapshots(caller(security), name);
  }

  @GET
  @Path("admin/reservations")
  @AdminOnly
  public Page<Reservation> allReservations(
      @Context SecurityContext security,
      @QueryParam("user") String user,
      @QueryParam("status") String status,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    boolean all = user == null || user.isBlank();
    return reservations.list(caller(security), all ? null : user, all, status, cursor, limit);
  }

  @GET
  @Path("admin/audit")
  @AdminOnly
  public Page<AuditEvent> audit(
      @Context SecurityContext security,
      @BeanParam AuditFilterParams filter,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    return audit.find(caller(security), filter.filter(), cursor, limit);
  }

  /** Every event the filters match, newest first, as CSV (at most {@link #CSV_MAX_ROWS}). */
  @GET
  @Path("admin/audit.csv")
  @AdminOnly
  @Produces("text/csv")
  public Response auditCsv(@Context SecurityContext security, @BeanParam AuditFilterParams params) {
    OdcPrincipal caller = caller(security);
    AuditService.Filter filter = params.filter();
    AuditCsv csv = new AuditCsv();
    String cursor = null;
    do {
      Page<AuditEvent> page = audit.find(caller, filter, cursor, 200);
      page.items().stream().limit(CSV_MAX_ROWS - csv.rows()).forEach(csv::add);
      cursor = page.nextCursor();
    } while (cursor != null && csv.rows() < CSV_MAX_ROWS);
    return Response.ok(csv.text(), "text/csv;charset=UTF-8")
        .header("Content-Disposition", "attachment; filename=\"odc-audit.csv\"")
        .header("X-ODC-Truncated", cursor != null)
        .build();
  }

  @GET
  @Path("admin/audit/verify")
  @AdminOnly
  public AuditVerification verify() {
    return audit.verify(null, null, null);
  }

  @GET
  @Path("admin/users")
  @AdminOnly
  public List<User> users(@Context SecurityContext security) {
    return users.list(caller(security));
  }

  private static OdcPrincipal caller(SecurityContext security) {
    return (OdcPrincipal) security.getUserPrincipal();
  }
}
