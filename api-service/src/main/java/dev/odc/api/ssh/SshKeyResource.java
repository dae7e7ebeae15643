package dev.odc.api.ssh;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.core.SshKey;
import dev.odc.core.api.AddSshKeyRequest;
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

/** {@code /v1/ssh-keys}: the caller's SSH public keys. */
@Path("/v1/ssh-keys")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class SshKeyResource {
  private final SshKeyService keys;

  public SshKeyResource(SshKeyService keys) {
    this.keys = keys;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response add(@Auth OdcPrincipal caller, AddSshKeyRequest request) {
    return Response.status(Response.Status.CREATED).entity(keys.add(caller, request)).build();
  }

  @GET
  public List<SshKey> list(@Auth OdcPrincipal caller, @QueryParam("user") String user) {
    return keys.list(caller, user);
  }

  @DELETE
  @Path("/{id}")
  public SshKey remove(@Auth OdcPrincipal caller, @PathParam("id") String id) {
    return keys.remove(caller, id);
  }
}
