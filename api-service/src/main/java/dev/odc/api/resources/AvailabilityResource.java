package dev.odc.api.resources;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.core.GpuType;
import dev.odc.core.api.Availability;
import dev.odc.database.GpuTypeDao;
import dev.odc.database.ReservationDao;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code GET /v1/availability}: capacity as the availability job last measured it, with the queued
 * counts taken live from the reservations.
 */
@Path("/v1/availability")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class AvailabilityResource {
  private final Jdbi jdbi;
  private final boolean simulated;

  /**
   * @param simulated the configuration's {@code simulatedCluster}: the capacity is that of a
   *     simulated cluster (the sandbox), not of real GPUs
   */
  public AvailabilityResource(Jdbi jdbi, boolean simulated) {
    this.jdbi = jdbi;
    this.simulated = simulated;
  }

  @GET
  public Availability availability(@Auth OdcPrincipal caller) {
    return jdbi.inTransaction(
        handle -> {
          List<GpuType> types = handle.attach(GpuTypeDao.class).list();
          Map<String, Integer> waiting =
              handle.attach(ReservationDao.class).waitingByGpuType().stream()
                  .collect(
                      Collectors.toMap(
                          ReservationDao.Waiting::gpuType, ReservationDao.Waiting::waiting));
          List<GpuType> rows = new ArrayList<>();
          Instant updated = null;
          for (GpuType t : types) {
            rows.add(
                new GpuType(
                    t.name(),
                    t.nodeLabelValue(),
                    t.gpusPerNode(),
                    t.cpusPerNode(),
                    t.memoryGbPerNode(),
                    t.totalGpus(),
                    t.inUseGpus(),
                    t.freeGpus(),
                    t.fullNodesFree(),
                    t.maxReservable(),
                    waiting.getOrDefault(t.name(), 0),
                    t.estimatedWaitSeconds(),
                    t.updatedAt()));
            if (t.updatedAt() != null && (updated == null || t.updatedAt().isAfter(updated))) {
              updated = t.updatedAt();
            }
          }
          return new Availability(rows, updated, simulated);
        });
  }
}
