package dev.odc.api.resources;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.service.DiskService;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.api.CreateDiskRequest;
import dev.odc.core.api.Page;
import dev.odc.core.api.RenameDiskRequest;
import dev.odc.core.api.RestoreDiskRequest;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** {@code /v1/disks}: the caller's own home disks, addressed by name. */
@Path("/v1/disks")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class DiskResource {
  private final DiskService disks;

  public DiskResource(DiskService disks) {
    this.disks = disks;
  }

  @GET
  public Page<Disk> list(
      @Auth OdcPrincipal caller,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    return disks.list(caller, cursor, limit);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(@Auth OdcPrincipal caller, CreateDiskRequest request) {
    return Response.status(Response.Status.CREATED).entity(disks.create(caller, request)).build();
  }

  @GET
  @Path("/{name}")
  public Disk get(@Auth OdcPrincipal caller, @PathParam("name") String name) {
    return disks.get(caller, name);
  }

  @DELETE
  @Path("/{name}")
  public Disk delete(@Auth OdcPrincipal caller, @PathParam("name") String name) {
    return disks.delete(caller, name);
  }

  @POST
  @Path("/{name}/rename")
  @Consumes(MediaType.APPLICATION_JSON)
  public Disk rename(
      @Auth OdcPrincipal caller, @PathParam("name") String name, RenameDiskRequest request) {
    return disks.rename(caller, name, request);
  }

  @POST
  @Path("/{name}/restore")
  @Consumes(MediaType.APPLICATION_JSON)
  public DiskSnapshot restore(
      @Auth OdcPrincipal caller, @PathParam("name") String name, RestoreDiskRequest request) {
    return disks.restore(caller, name, request);
  }

  @GET
  @Path("/{name}/snapshots")
  public List<DiskSnapshot> snapshots(@Auth OdcPrincipal caller, @PathParam("name") String name) {
    return disks.snapshots(caller, name);
  }
}
