package dev.odc.api.console;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.auth.OidcAuthProvider;
import dev.odc.database.ConsoleSessionDao;
import io.dropwizard.auth.AuthenticationException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's login (OIDC authorization code with PKCE, state and nonce, run by the server) and
 * logout. The tokens stay in this process: the browser gets only a session cookie.
 */
@Path("/")
public class ConsoleAuthResource {
  private static final Logger log = LoggerFactory.getLogger(ConsoleAuthResource.class);

  private final OidcCodeFlow flow;
  private final OidcAuthProvider tokens;
  private final ConsoleSessions sessions;
  private final ConsoleHttp http;

  public ConsoleAuthResource(
      OidcCodeFlow flow, OidcAuthProvider tokens, ConsoleSessions sessions, ConsoleHttp http) {
    this.flow = flow;
    this.tokens = tokens;
    this.sessions = sessions;
    this.http = http;
  }

  /** Starts a login: remembers state, nonce and PKCE verifier and sends the browser to the IdP. */
  @GET
  @Path("login")
  @Produces(MediaType.TEXT_HTML)
  public Response login(@Context UriInfo uri, @QueryParam("next") String next) {
    String state = OidcCodeFlow.randomToken();
    String nonce = OidcCodeFlow.randomToken();
    String verifier = OidcCodeFlow.randomToken();
    URI authorize;
    try {
      authorize = flow.authorizationUri(state, nonce, verifier, http.redirectUri(uri));
    } catch (IOException e) {
      log.warn("Console login: the identity provider cannot be reached: {}", e.toString());
      return ConsolePages.message(
          Response.Status.SERVICE_UNAVAILABLE,
          "Sign-in is unavailable",
          "The identity provider cannot be reached. Try again in a minute.");
    }
    sessions.beginLogin(state, verifier, nonce, safeReturn(next));
    return Response.seeOther(authorize).cookie(http.login(uri, state)).build();
  }

  /** Where the identity provider sends the browser back with a code. */
  @GET
  @Path("auth/callback")
  @Produces(MediaType.TEXT_HTML)
  public Response callback(
      @Context UriInfo uri,
      @Context HttpHeaders headers,
      @QueryParam("code") String code,
      @QueryParam("state") String state,
      @QueryParam("error") String error) {
    if (error != null) {
      return refused(uri, "The identity provider did not sign you in (" + error + ").");
    }
    Optional<String> bound = http.loginCookie(uri, headers.getCookies());
    if (state == null
        || bound.isEmpty()
        || !MessageDigest.isEqual(
            bound.get().getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
      return refused(uri, "This sign-in was not started in this browser.");
    }
    Optional<ConsoleSessionDao.LoginRow> login = sessions.takeLogin(state);
    if (login.isEmpty()) {
      return refused(uri, "This sign-in has expired or was already used.");
    }
    if (code == null || code.isBlank()) {
      return refused(uri, "The identity provider sent no authorization code.");
    }
    OidcCodeFlow.Tokens issued;
    OdcPrincipal principal;
    try {
      issued =
          flow.exchange(
              code, login.get().codeVerifier(), http.redirectUri(uri), login.get().nonce());
      // The access token goes through exactly the API's checks and user mapping (roles included).
      Optional<OdcPrincipal> verified = tokens.verify(issued.accessToken());
      if (verified.isEmpty()
          || !verified.get().user().subject().equals(OidcCodeFlow.subject(issued.idToken()))) {
        return refused(uri, "The identity provider's token is not accepted by ODC.");
      }
      principal = verified.get();
    } catch (OidcCodeFlow.LoginFailedException e) {
      log.warn("Console login refused: {}", e.getMessage());
      return refused(uri, "Sign-in failed: " + e.getMessage());
    } catch (IOException | AuthenticationException e) {
      log.warn("Console login: the identity provider cannot be reached: {}", e.toString());
      return ConsolePages.message(
          Response.Status.SERVICE_UNAVAILABLE,
          "Sign-in is unavailable",
          "The identity provider cannot be reached. Try again in a minute.");
    }
    ConsoleSessions.Created created = sessions.create(principal.user(), principal.roles());
    log.info("Console session started for {}", principal.getName());
    return Response.seeOther(URI.create(login.get().returnTo()))
        .cookie(http.session(uri, created.cookieValue()), http.clearLogin(uri))
        .build();
  }

  /** Ends the session (CSRF-checked like every state-changing console request). */
  @POST
  @Path("logout")
  @ConsoleSecured
  @Produces(MediaType.APPLICATION_JSON)
  public Response logout(@Context ContainerRequestContext request) {
    http.sessionCookie(request).ifPresent(sessions::delete);
    return Response.ok(Map.of("next", "/signed-out"))
        .cookie(http.clearSession(request.getUriInfo()))
        .build();
  }

  private Response refused(UriInfo uri, String why) {
    return Response.fromResponse(
            ConsolePages.message(
                Response.Status.BAD_REQUEST, "Sign-in failed", why + " Start again."))
        .cookie(http.clearLogin(uri))
        .build();
  }

  /** Only a path of this console: never another host ({@code //evil}, {@code /\evil}). */
  static String safeReturn(String next) {
    if (next == null
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.contains("\\")
        || next.length() > 200
        || next.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      return "/";
    }
    return next;
  }
}
