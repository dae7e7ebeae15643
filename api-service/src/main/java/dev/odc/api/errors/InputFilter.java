package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.PathSegment;
import java.util.List;
import java.util.Map;

/**
 * The first look at every request, before routing and authentication: a bearer token in the URL
 * ({@code access_token}) is refused, so no client gets used to putting one where logs and browser
 * histories keep it; so is a second Authorization header (no layer should have to pick one);
 * control characters (NUL above all) in the path, in query parameter names and values, and in
 * header values are refused, since no endpoint means them and PostgreSQL, Java's HTTP client and
 * log readers do not take them.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 200)
public class InputFilter implements ContainerRequestFilter {
  /** The query parameter RFC 6750 defines for bearer tokens, which ODC does not accept. */
  public static final String ACCESS_TOKEN_PARAM = "access_token";

  @Override
  public void filter(ContainerRequestContext request) {
    MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
    if (query.containsKey(ACCESS_TOKEN_PARAM)) {
      request.abortWith(
          ErrorResponses.of(
              ErrorCode.INVALID_ARGUMENT,
              "tokens are not accepted in the URL; send them in the Authorization header",
              Map.of("field", ACCESS_TOKEN_PARAM)));
      return;
    }
    List<String> authorization = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.size() > 1) {
      // which one would count is up to each layer: refuse rather than pick
      request.abortWith(
          ErrorResponses.of(
              ErrorCode.INVALID_ARGUMENT,
              "send one Authorization header, not " + authorization.size(),
              Map.of("field", HttpHeaders.AUTHORIZATION)));
      return;
    }
    for (PathSegment segment : request.getUriInfo().getPathSegments()) {
      if (Text.hasControl(segment.getPath(), false)) {
        request.abortWith(refused("path", "the path"));
        return;
      }
    }
    for (Map.Entry<String, List<String>> param : query.entrySet()) {
      if (Text.hasControl(param.getKey(), false) || anyControl(param.getValue(), false)) {
        request.abortWith(refused(param.getKey(), "query parameter '" + printable(param) + "'"));
        return;
      }
    }
    for (Map.Entry<String, List<String>> header : request.getHeaders().entrySet()) {
      if (anyControl(header.getValue(), true)) {
        request.abortWith(refused(header.getKey(), "header '" + printable(header) + "'"));
        return;
      }
    }
  }

  private static boolean anyControl(List<String> values, boolean tabAllowed) {
    for (String value : values) {
      if (Text.hasControl(value, tabAllowed)) {
        return true;
      }
    }
    return false;
  }

  private static String printable(Map.Entry<String, List<String>> entry) {
    return Text.hasControl(entry.getKey(), false) ? "?" : entry.getKey();
  }

  private static jakarta.ws.rs.core.Response refused(String field, String where) {
    return ErrorResponses.of(
        ErrorCode.INVALID_ARGUMENT,
        where + " contains a control character (e.g. NUL, CR, LF); remove it",
        Map.of("field", Text.hasControl(field, false) ? "?" : field));
  }
}
