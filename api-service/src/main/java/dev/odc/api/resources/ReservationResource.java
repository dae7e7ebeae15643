package dev.odc.api.resources;

import com.codahale.metrics.annotation.Timed;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.service.ReservationService;
import dev.odc.core.Reservation;
import dev.odc.core.api.CreateReservationRequest;
import dev.odc.core.api.ExtendReservationRequest;
import dev.odc.core.api.Page;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /v1/reservations}. */
@Path("/v1/reservations")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class ReservationResource {
  private final ReservationService reservations;

  public ReservationResource(ReservationService reservations) {
    this.reservations = reservations;
  }

  @Timed
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(@Auth OdcPrincipal caller, CreateReservationRequest request) {
    Reservation created = reservations.create(caller, request);
    return Response.accepted(created).build();
  }

  @Timed
  @GET
  public Page<Reservation> list(
      @Auth OdcPrincipal caller,
      @QueryParam("user") String user,
      @QueryParam("all") boolean all,
      @QueryParam("status") String status,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    return reservations.list(caller, user, all, status, cursor, limit);
  }

  @Timed
  @GET
  @Path("/{id}")
  public Reservation get(@Auth OdcPrincipal caller, @PathParam("id") String id) {
    return reservations.get(caller, id);
  }

  @Timed
  @POST
  @Path("/{id}/cancel")
  public Reservation cancel(@Auth OdcPrincipal caller, @PathParam("id") String id) {
    return reservations.cancel(caller, id);
  }

  @Timed
  @POST
  @Path("/{id}/extend")
  @Consumes(MediaType.APPLICATION_JSON)
  public Reservation extend(
      @Auth OdcPrincipal caller, @PathParam("id") String id, ExtendReservationRequest request) {
    return reservations.extend(caller, id, request == null ? null : request.hours());
  }
}
