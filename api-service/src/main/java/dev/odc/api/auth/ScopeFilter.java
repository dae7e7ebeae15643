package dev.odc.api.auth;

import dev.odc.api.errors.ErrorResponses;
import dev.odc.core.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import java.util.Map;

/**
 * Refuses (403 {@code FORBIDDEN}) requests that the calling API key's scopes do not allow (see
 * {@link ApiScopes}). Runs after authentication; requests without a principal and callers without
 * scopes pass unchanged.
 */
@Priority(Priorities.AUTHORIZATION)
public class ScopeFilter implements ContainerRequestFilter {
  @Override
  public void filter(ContainerRequestContext request) {
    if (!(request.getSecurityContext().getUserPrincipal() instanceof OdcPrincipal caller)
        || caller.scopes().isEmpty()) {
      return;
    }
    String method = request.getMethod();
    String path = request.getUriInfo().getPath();
    if (!ApiScopes.allows(caller.scopes(), method, path)) {
      String needed = ApiScopes.scopeFor(path);
      request.abortWith(
          ErrorResponses.of(
              ErrorCode.FORBIDDEN,
              "this API key's scopes "
                  + caller.scopes().stream().sorted().toList()
                  + " do not allow "
                  + method
                  + " /"
                  + (path.startsWith("/") ? path.substring(1) : path)
                  + (needed == null
                      ? "; use a key without scopes"
                      : "; it needs scope '" + needed + "'"),
              Map.of("scopes", caller.scopes().stream().sorted().toList())));
    }
  }
}
