package dev.odc.api.resources;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.service.AvailabilityService;
import dev.odc.core.api.Availability;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /v1/availability}: capacity as the availability job last measured it, with the queued
 * counts taken live from the reservations.
 */
@Path("/v1/availability")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class AvailabilityResource {
  private final AvailabilityService availability;

  public AvailabilityResource(AvailabilityService availability) {
    this.availability = availability;
  }

  @GET
  public Availability availability(@Auth OdcPrincipal caller) {
    return availability.current();
  }
}
