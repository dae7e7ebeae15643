package dev.odc.api.auth;

import dev.odc.core.Role;
import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/** {@code @RolesAllowed("ADMIN")}: role names are {@link Role} constants. */
public class RoleAuthorizer implements Authorizer<OdcPrincipal> {
  @Override
  public boolean authorize(
      OdcPrincipal principal, String role, ContainerRequestContext requestContext) {
    for (Role r : principal.roles()) {
      if (r.name().equals(role)) {
        return true;
      }
    }
    return false;
  }
}
