package dev.odc.api.console;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.errors.ErrorResponses;
import dev.odc.core.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates console requests by their session cookie, and refuses what the session may not do:
 *
 * <ul>
 *   <li>no session: pages redirect to {@code /login}, calls answer 401;
 *   <li>a state-changing method (anything but GET/HEAD/OPTIONS) without this console's exact {@code
 *       Origin} or without the session's CSRF token in {@code X-CSRF-Token}: 403;
 *   <li>an {@link AdminOnly} page or call from a non-admin: 403.
 * </ul>
 */
@ConsoleSecured
@Priority(Priorities.AUTHENTICATION)
public class ConsoleSessionFilter implements ContainerRequestFilter {
  private static final Logger log = LoggerFactory.getLogger(ConsoleSessionFilter.class);
  static final String SESSION_PROPERTY = "dev.odc.console.session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  private final ConsoleSessions sessions;
  private final ConsoleHttp http;
  @Context private ResourceInfo resource;

  public ConsoleSessionFilter(ConsoleSessions sessions, ConsoleHttp http) {
    this.sessions = sessions;
    this.http = http;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    boolean page = resource.getResourceClass() == ConsolePages.class;
    Optional<ConsoleSessions.Session> found = http.sessionCookie(request).flatMap(sessions::find);
    if (found.isEmpty()) {
      if (page) {
        String next = "/" + request.getUriInfo().getPath();
        request.abortWith(
            Response.seeOther(
                    URI.create("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)))
                .build());
      } else {
        request.abortWith(
            ErrorResponses.of(
                ErrorCode.UNAUTHENTICATED, "no console session; sign in again at /login"));
      }
      return;
    }
    ConsoleSessions.Session session = found.get();
    if (!SAFE.contains(request.getMethod())) {
      Optional<String> refusal = csrfRefusal(request, session);
      if (refusal.isPresent()) {
        log.warn(
            "Refused a console {} {} of {}: {}",
            request.getMethod(),
            request.getUriInfo().getPath(),
            session.principal().getName(),
            refusal.get());
        request.abortWith(ErrorResponses.of(ErrorCode.FORBIDDEN, refusal.get()));
        return;
      }
    }
    if (adminOnly() && !session.principal().isAdmin()) {
      request.abortWith(
          page
              ? Response.status(Response.Status.FORBIDDEN)
                  .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                  .entity(ConsolePages.forbidden(session.principal().getName()))
                  .build()
              : ErrorResponses.of(ErrorCode.FORBIDDEN, "this part of the console is for admins"));
      return;
    }
    request.setProperty(SESSION_PROPERTY, session);
    request.setSecurityContext(new ConsoleSecurityContext(session.principal(), request));
  }

  private Optional<String> csrfRefusal(
      ContainerRequestContext request, ConsoleSessions.Session session) {
    String origin = request.getHeaderString("Origin");
    String expected = http.origin(request.getUriInfo());
    if (origin == null || !origin.equals(expected)) {
      return Optional.of(
          "cross-origin request refused: Origin "
              + (origin == null ? "missing" : "'" + origin + "'")
              + ", expected '"
              + expected
              + "'");
    }
    String token = request.getHeaderString(CSRF_HEADER);
    if (token == null
        || !MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8),
            session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
      return Optional.of("missing or wrong " + CSRF_HEADER + " header; reload the page");
    }
    return Optional.empty();
  }

  private boolean adminOnly() {
    return resource.getResourceMethod().isAnnotationPresent(AdminOnly.class)
        || resource.getResourceClass().isAnnotationPresent(AdminOnly.class);
  }

  /** The session of a request that passed this filter. */
  static ConsoleSessions.Session session(ContainerRequestContext request) {
    return (ConsoleSessions.Session) request.getProperty(SESSION_PROPERTY);
  }

  private record ConsoleSecurityContext(OdcPrincipal principal, ContainerRequestContext request)
      implements SecurityContext {
    @Override
    public Principal getUserPrincipal() {
      return principal;
    }

    @Override
    public boolean isUserInRole(String role) {
      return principal.roles().stream().anyMatch(r -> r.name().equals(role));
    }

    @Override
    public boolean isSecure() {
      return "https".equals(request.getUriInfo().getRequestUri().getScheme());
    }

    @Override
    public String getAuthenticationScheme() {
      return "console-session";
    }
  }
}
