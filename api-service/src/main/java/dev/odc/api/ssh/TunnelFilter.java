package dev.odc.api.ssh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.api.auth.ApiScopes;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.errors.ApiException;
import dev.odc.api.errors.DatabaseUnavailableMapper;
import dev.odc.api.service.ReservationService;
import dev.odc.core.AuditEvent;
import dev.odc.core.ErrorCode;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.api.ErrorResponse;
import dev.odc.database.AuditLog;
import io.dropwizard.auth.AuthenticationException;
import io.dropwizard.auth.Authenticator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServerContainer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/reservations/{id}/tunnel}: a WebSocket that carries the bytes of one TCP
 * connection to a port of the caller's ACTIVE reservation. A servlet filter rather than a JAX-RS
 * resource because the answer is a protocol upgrade; it checks what the API's filters check
 * (credential, scopes) and answers failures in the one error shape before any upgrade.
 *
 * <p>Only the reservation's owner may open it: anyone else, admins included, gets the same 404 as
 * for a reservation that does not exist. Every tunnel opened is audited as {@code ssh.connect}.
 */
public class TunnelFilter implements Filter {
  private static final Logger log = LoggerFactory.getLogger(TunnelFilter.class);
  private static final Pattern PATH = Pattern.compile("/v1/reservations/([^/]+)/tunnel/?");
  static final int SSH_PORT = 22;

  private final Authenticator<String, OdcPrincipal> authenticator;
  private final ReservationService reservations;
  private final TunnelTargets targets;
  private final OpenTunnels registry;
  private final PortRanges ports;
  private final Duration connectTimeout;
  private final Jdbi jdbi;
  private final ObjectMapper mapper;

  public TunnelFilter(
      Authenticator<String, OdcPrincipal> authenticator,
      ReservationService reservations,
      TunnelTargets targets,
      OpenTunnels registry,
      PortRanges ports,
      Duration connectTimeout,
      Jdbi jdbi,
      ObjectMapper mapper) {
    this.authenticator = authenticator;
    this.reservations = reservations;
    this.targets = targets;
    this.registry = registry;
    this.ports = ports;
    this.connectTimeout = connectTimeout;
    this.jdbi = jdbi;
    this.mapper = mapper;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) resp;
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Matcher m = PATH.matcher(path);
    if (!m.matches()) {
      chain.doFilter(req, resp);
      return;
    }
    Socket socket = null;
    try {
      if (!"GET".equals(request.getMethod())) {
        throw new ApiException(ErrorCode.NOT_FOUND, "the tunnel is opened with GET");
      }
      OdcPrincipal caller = authenticate(request);
      if (!caller.scopes().isEmpty() && !caller.scopes().contains(ApiScopes.RESERVATIONS)) {
        throw new ApiException(
            ErrorCode.FORBIDDEN,
            "this API key's scopes "
                + caller.scopes().stream().sorted().toList()
                + " do not allow opening a tunnel; it needs scope '"
                + ApiScopes.RESERVATIONS
                + "'");
      }
      String id = m.group(1);
      Reservation r = reservations.get(caller, id);
      if (!r.userId().equals(caller.user().id())) {
        // the same answer as for a reservation that does not exist, admins included
        throw ApiException.notFound("reservation", id);
      }
      if (r.status() != ReservationStatus.ACTIVE) {
        throw new ApiException(
            ErrorCode.INVALID_STATE,
            "reservation "
                + r.shortId()
                + " is "
                + r.status()
                + "; the tunnel opens once it is ACTIVE",
            Map.of("status", r.status().name()));
      }
      int node = intParam(request, "node", 0);
      if (node < 0 || node >= r.nodeCount()) {
        throw ApiException.invalid(
            "node", "node must be 0-" + (r.nodeCount() - 1) + " for this reservation");
      }
      int port = intParam(request, "port", SSH_PORT);
      if (!ports.contains(port)) {
        throw ApiException.invalid(
            "port", "port " + port + " is not one the tunnel may reach; allowed: " + ports);
      }
      if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
        throw ApiException.invalid(
            "Upgrade",
            "this endpoint is a WebSocket: send 'Upgrade: websocket' (use `gpu-dev tunnel`)");
      }
      InetSocketAddress target =
          targets
              .resolve(r, node, port)
              .orElseThrow(
                  () ->
                      new ApiException(
                          ErrorCode.INVALID_STATE,
                          "the address of node "
                              + node
                              + " of "
                              + r.shortId()
                              + " is not known yet; retry in a few seconds"));
      socket = connect(target, r, node, port);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("port", port);
      details.put("node", node);
      details.put("via", caller.method());
      jdbi.useTransaction(
          h ->
              AuditLog.append(
                  h,
                  caller.getName(),
                  "ssh.connect",
                  "reservation",
                  r.id().toString(),
                  AuditEvent.SUCCESS,
                  details));
      String description = r.shortId() + "/" + node + ":" + port + "/" + caller.getName();
      Socket connected = socket;
      boolean upgraded =
          JettyWebSocketServerContainer.getContainer(request.getServletContext())
              .upgrade(
                  (upgradeRequest, upgradeResponse) ->
                      new TunnelRelay(connected, r.id(), description, registry),
                  request,
                  response);
      if (!upgraded) {
        socket.close();
        if (!response.isCommitted()) {
          throw ApiException.invalid(
              "Upgrade", "the WebSocket handshake is incomplete (use `gpu-dev tunnel`)");
        }
        return;
      }
      log.info("Tunnel {} opened", description);
    } catch (ApiException e) {
      closeQuietly(socket);
      writeError(response, e.code(), e.getMessage(), e.details());
    } catch (RuntimeException e) {
      closeQuietly(socket);
      if (DatabaseUnavailableMapper.isUnavailable(e)) {
        response.setHeader("Retry-After", "5");
        writeError(
            response, ErrorCode.UNAVAILABLE, "the database is unavailable; retry later", Map.of());
        return;
      }
      String errorId = UUID.randomUUID().toString();
      log.error("Tunnel request failed (error id {})", errorId, e);
      writeError(
          response,
          ErrorCode.INTERNAL,
          "the tunnel could not be opened",
          Map.of("errorId", errorId));
    }
  }

  private OdcPrincipal authenticate(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    String prefix = "bearer ";
    if (header != null
        && header.length() > prefix.length()
        && header.substring(0, prefix.length()).toLowerCase(Locale.ROOT).equals(prefix)) {
      try {
        Optional<OdcPrincipal> principal =
            authenticator.authenticate(header.substring(prefix.length()).strip());
        if (principal.isPresent()) {
          return principal.get();
        }
      } catch (AuthenticationException e) {
        throw new ApiException(
            ErrorCode.UNAVAILABLE, "the identity provider cannot be reached; retry later");
      }
    }
    throw new ApiException(
        ErrorCode.UNAUTHENTICATED, "a valid bearer token or API key is required");
  }

  private Socket connect(InetSocketAddress unresolved, Reservation r, int node, int port) {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(
          new InetSocketAddress(unresolved.getHostString(), unresolved.getPort()),
          (int) connectTimeout.toMillis());
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      log.info(
          "Tunnel to {}:{} of {} failed: {}",
          unresolved.getHostString(),
          unresolved.getPort(),
          r.shortId(),
          e.toString());
      throw new ApiException(
          ErrorCode.UNAVAILABLE,
          "port "
              + port
              + " of node "
              + node
              + " of "
              + r.shortId()
              + " does not answer ("
              + e.getClass().getSimpleName()
              + "); is the service running there?",
          Map.of("port", port, "node", node));
    }
  }

  private static int intParam(HttpServletRequest request, String name, int fallback) {
    String value = request.getParameter(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw ApiException.invalid(name, name + " must be a number");
    }
  }

  private void writeError(
      HttpServletResponse response, ErrorCode code, String message, Map<String, Object> details)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(code.httpStatus());
    response.setContentType("application/json");
    if (code == ErrorCode.UNAUTHENTICATED) {
      response.setHeader("WWW-Authenticate", "Bearer realm=\"odc\"");
    }
    if (code == ErrorCode.UNAVAILABLE && response.getHeader("Retry-After") == null) {
      response.setHeader("Retry-After", "5");
    }
    mapper.writeValue(response.getOutputStream(), new ErrorResponse(code, message, details));
  }

  private static void closeQuietly(Socket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        log.debug("Closing an unused tunnel socket failed: {}", e.toString());
      }
    }
  }
}
