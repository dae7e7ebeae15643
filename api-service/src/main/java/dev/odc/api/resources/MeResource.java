package dev.odc.api.resources;

import dev.odc.api.ApiConfiguration.LimitsConfig;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.db.ApiQueries;
import dev.odc.core.User;
import dev.odc.core.api.Me;
import dev.odc.database.ReservationDao;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jdbi.v3.core.Jdbi;

/** {@code GET /v1/me}. */
@Path("/v1/me")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class MeResource {
  private final Jdbi jdbi;
  private final LimitsConfig limits;

  public MeResource(Jdbi jdbi, LimitsConfig limits) {
    this.jdbi = jdbi;
    this.limits = limits;
  }

  @GET
  public Me me(@Auth OdcPrincipal caller) {
    User user = caller.user();
    Me.Usage usage =
        jdbi.withHandle(
            h -> {
              ReservationDao reservations = h.attach(ReservationDao.class);
              return new Me.Usage(
                  reservations.liveGpusOfUser(user.id()),
                  reservations.liveCountOfUser(user.id()),
                  h.attach(ApiQueries.class).countDisks(user.id()));
            });
    return new Me(
        user.id(),
        user.username(),
        user.email(),
        caller.roles(),
        new Me.Quota(
            limits.maxConcurrentGpus,
            limits.maxHoursPerReservation,
            limits.maxTotalHours,
            limits.maxDisks),
        usage);
  }
}
