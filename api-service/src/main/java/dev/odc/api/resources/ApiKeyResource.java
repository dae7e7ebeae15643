package dev.odc.api.resources;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.service.ApiKeyService;
import dev.odc.core.ApiKey;
import dev.odc.core.api.CreateApiKeyRequest;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** {@code /v1/api-keys}: the key is in the creation answer only. */
@Path("/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class ApiKeyResource {
  private final ApiKeyService keys;

  public ApiKeyResource(ApiKeyService keys) {
    this.keys = keys;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(@Auth OdcPrincipal caller, CreateApiKeyRequest request) {
    return Response.status(Response.Status.CREATED).entity(keys.create(caller, request)).build();
  }

  @GET
  public List<ApiKey> list(@Auth OdcPrincipal caller) {
    return keys.list(caller);
  }

  @DELETE
  @Path("/{id}")
  public ApiKey revoke(@Auth OdcPrincipal caller, @PathParam("id") String id) {
    return keys.revoke(caller, id);
  }
}
