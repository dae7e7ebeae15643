package dev.odc.api.console;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * Browser hardening for everything outside {@code /v1}: only this origin's scripts and styles, no
 * framing, no referrer, no MIME sniffing, and no caching of pages that show a user's data.
 */
public class ConsoleHeaders implements ContainerResponseFilter {
  static final String POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getUriInfo().getPath().startsWith("v1")) {
      return;
    }
    MultivaluedMap<String, Object> headers = response.getHeaders();
    headers.putSingle("Content-Security-Policy", POLICY);
    headers.putSingle("X-Content-Type-Options", "nosniff");
    headers.putSingle("X-Frame-Options", "DENY");
    headers.putSingle("Referrer-Policy", "no-referrer");
    if (!headers.containsKey("Cache-Control")) {
      headers.putSingle("Cache-Control", "no-store");
    }
  }
}
