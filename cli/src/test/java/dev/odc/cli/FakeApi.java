package dev.odc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.odc.core.ApiKey;
import dev.odc.core.AuditEvent;
import dev.odc.core.Checks;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.ErrorCode;
import dev.odc.core.GpuType;
import dev.odc.core.Json;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.Role;
import dev.odc.core.StatusChange;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.AuthConfig;
import dev.odc.core.api.Availability;
import dev.odc.core.api.CreateApiKeyRequest;
import dev.odc.core.api.CreateDiskRequest;
import dev.odc.core.api.CreateReservationRequest;
import dev.odc.core.api.ErrorResponse;
import dev.odc.core.api.ExtendReservationRequest;
import dev.odc.core.api.Me;
import dev.odc.core.api.Page;
import dev.odc.core.api.RenameDiskRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stateful stand-in for api-service speaking its HTTP contract: the endpoints, the JSON shapes
 * from core and the error shape. Bearer tokens are API keys it issued, the fixed {@link
 * #STATIC_TOKEN}, or whatever {@code tokenVerifier} (an OIDC check) accepts.
 */
final class FakeApi implements AutoCloseable {
  static final String STATIC_TOKEN = "static-test-token";
  static final List<GpuType> GPU_TYPES =
      List.of(
          new GpuType(
              "h100",
              "h100",
              8,
              96,
              1024,
              16,
              4,
              12,
              1,
              8,
              0,
              0,
              Instant.parse("2026-01-01T00:00:00Z")),
          new GpuType(
              "a100",
              "a100",
              4,
              48,
              512,
              8,
              8,
              0,
              0,
              0,
              2,
              5400,
              Instant.parse("2026-01-01T00:00:00Z")));

  private final HttpServer server;
  private final ObjectMapper mapper = Json.newMapper();
  private final Map<UUID, Reservation> reservations = new ConcurrentHashMap<>();
  private final Map<String, Disk> disks = new ConcurrentHashMap<>();
  private final Map<String, String> apiKeys = new ConcurrentHashMap<>();
  private final Map<UUID, ApiKey> apiKeyMeta = new ConcurrentHashMap<>();
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  private final UUID userId = UUID.randomUUID();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile String issuer;
  private volatile String clientId = "gpu-dev";
  private volatile boolean awsLoginEnabled = true;
  private volatile JsonNode lastAwsLogin;
  private volatile Function<String, Optional<String>> tokenVerifier = t -> Optional.empty();

  FakeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void oidc(String issuer, String clientId, Function<String, Optional<String>> verifier) {
    this.issuer = issuer;
    this.clientId = clientId;
    this.tokenVerifier = verifier;
  }

  /** Every Authorization header the API saw, for checks that the right credential was sent. */
  List<String> authorizations() {
    return authorizations;
  }

  JsonNode lastAwsLogin() {
    return lastAwsLogin;
  }

  Optional<Reservation> reservation(UUID id) {
    return Optional.ofNullable(reservations.get(id));
  }

  List<Reservation> reservations() {
    return List.copyOf(reservations.values());
  }

  /** Plays the processor: moves a reservation to a new status. */
  Reservation advance(UUID id, ReservationStatus to, String reason, Integer queuePosition) {
    return reservations.compute(
        id,
        (k, r) -> {
          List<StatusChange> history = new ArrayList<>(r.statusHistory());
          history.add(
              new StatusChange(
                  r.status().checkTransitionTo(to), Instant.now(), "system:processor", reason));
          boolean active = to == ReservationStatus.ACTIVE;
          Instant started = active ? Instant.now() : r.startedAt();
          return new Reservation(
              r.id(),
              r.userId(),
              r.username(),
              r.name(),
              r.gpuType(),
              r.gpuCount(),
              r.nodeCount(),
              r.image(),
              r.hours(),
              r.diskName(),
              r.labels(),
              to,
              r.failureReason(),
              queuePosition,
              to == ReservationStatus.QUEUED ? Instant.now().plusSeconds(1800) : null,
              "odc-reservations",
              active ? "pod-" + r.shortId() : null,
              active ? "node-1" : null,
              active ? "ssh.odc.test" : null,
              active ? 30022 : null,
              r.createdAt(),
              started,
              active ? started.plusSeconds((long) (r.hours() * 3600)) : r.expiresAt(),
              r.endedAt(),
              r.warningsSent(),
              history,
              r.version() + 1);
        });
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/v1/auth/config") && method.equals("GET")) {
        send(
            ex,
            200,
            new AuthConfig(
                issuer,
                issuer == null ? null : clientId,
                List.of("openid", "profile", "offline_access"),
                "odc",
                awsLoginEnabled));
        return;
      }
      if (path.equals("/v1/auth/aws-login") && method.equals("POST")) {
        lastAwsLogin = mapper.readTree(ex.getRequestBody());
        String auth = lastAwsLogin.path("headers").path("Authorization").asText("");
        if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=")) {
          error(ex, ErrorCode.UNAUTHENTICATED, "not a signed GetCallerIdentity request");
          return;
        }
        send(ex, 200, issueKey("aws-login", 1));
        return;
      }
      String header = ex.getRequestHeaders().getFirst("Authorization");
      authorizations.add(header == null ? "" : header);
      Optional<String> user = authenticate(header);
      if (user.isEmpty()) {
        error(ex, ErrorCode.UNAUTHENTICATED, "missing or invalid credentials");
        return;
      }
      route(ex, method, path, user.get());
    } catch (IllegalArgumentException | NullPointerException e) {
      error(ex, ErrorCode.INVALID_ARGUMENT, e.getMessage());
    } catch (RuntimeException e) {
      error(ex, ErrorCode.INTERNAL, "internal error");
    } finally {
      ex.close();
    }
  }

  private Optional<String> authenticate(String header) {
    if (header == null || !header.startsWith("Bearer ")) {
      return Optional.empty();
    }
    String token = header.substring("Bearer ".length());
    if (token.equals(STATIC_TOKEN)) {
      return Optional.of("alice");
    }
    if (apiKeys.containsKey(token)) {
      return Optional.of(apiKeys.get(token));
    }
    return tokenVerifier.apply(token);
  }

  private void route(HttpExchange ex, String method, String path, String user) throws IOException {
    String[] parts = path.substring(1).split("/");
    String query = ex.getRequestURI().getRawQuery();
    Map<String, String> q = Oidc.parseQuery(query);
    switch (method + " " + (parts.length > 1 ? parts[1] : "")) {
      case "GET me" ->
          send(
              ex,
              200,
              new Me(
                  userId,
                  user,
                  user + "@example.com",
                  Set.of(Role.USER, Role.ADMIN),
                  new Me.Quota(16, 24, 72, 5),
                  new Me.Usage(
                      live().stream().mapToInt(Reservation::totalGpus).sum(),
                      live().size(),
                      disks.size())));
      case "GET availability" -> send(ex, 200, new Availability(GPU_TYPES, Instant.now(), false));
      case "POST reservations" -> {
        if (parts.length == 2) {
          createReservation(ex, user);
        } else {
          Reservation r = find(parts[2]).orElse(null);
          if (r == null) {
            error(ex, ErrorCode.NOT_FOUND, "reservation " + parts[2] + " not found");
          } else if (parts[3].equals("cancel")) {
            if (r.status().isTerminal()) {
              error(
                  ex,
                  ErrorCode.INVALID_STATE,
                  "reservation " + r.shortId() + " is already " + r.status());
              return;
            }
            Reservation c =
                advance(r.id(), ReservationStatus.CANCELLED, "cancelled by " + user, null);
            audit(user, "reservation.cancel", "reservation", r.id().toString());
            send(ex, 200, c);
          } else {
            ExtendReservationRequest req =
                mapper.readValue(ex.getRequestBody(), ExtendReservationRequest.class);
            if (r.hours() + req.hours() > 72) {
              error(ex, ErrorCode.LIMIT_EXCEEDED, "extension exceeds maxTotalHours (72)");
              return;
            }
            Reservation e =
                reservations.computeIfPresent(
                    r.id(),
                    (k, old) ->
                        new Reservation(
                            old.id(),
                            old.userId(),
                            old.username(),
                            old.name(),
                            old.gpuType(),
                            old.gpuCount(),
                            old.nodeCount(),
                            old.image(),
                            old.hours() + req.hours(),
                            old.diskName(),
                            old.labels(),
                            old.status(),
                            null,
                            old.queuePosition(),
                            old.estimatedStartAt(),
                            old.namespace(),
                            old.podName(),
                            old.nodeName(),
                            old.sshHost(),
                            old.sshPort(),
                            old.createdAt(),
                            old.startedAt(),
                            old.expiresAt() == null
                                ? null
                                : old.expiresAt().plusSeconds((long) (req.hours() * 3600)),
                            null,
                            old.warningsSent(),
                            old.statusHistory(),
                            old.version() + 1));
            audit(user, "reservation.extend", "reservation", r.id().toString());
            send(ex, 200, e);
          }
        }
      }
      case "GET reservations" -> {
        if (parts.length == 3) {
          Optional<Reservation> r = find(parts[2]);
          if (r.isPresent()) {
            send(ex, 200, r.get());
          } else {
            error(ex, ErrorCode.NOT_FOUND, "reservation " + parts[2] + " not found");
          }
          return;
        }
        List<Reservation> list =
            reservations.values().stream()
                .filter(
                    r ->
                        q.containsKey("status")
                            ? r.status().name().equals(q.get("status"))
                            : !r.status().isTerminal())
                .sorted((a, b) -> a.createdAt().compareTo(b.createdAt()))
                .toList();
        send(ex, 200, new Page<>(list, null));
      }
      case "GET disks" -> {
        if (parts.length == 4 && parts[3].equals("snapshots")) {
          Disk d = disks.get(parts[2]);
          if (d == null) {
            error(ex, ErrorCode.NOT_FOUND, "disk " + parts[2] + " not found");
            return;
          }
          send(
              ex,
              200,
              new Page<>(
                  List.of(
                      new DiskSnapshot(
                          UUID.randomUUID(),
                          d.id(),
                          "snap-" + d.name() + "-1",
                          "snap-0abc",
                          d.sizeGb(),
                          true,
                          Instant.parse("2026-01-02T03:04:05Z"),
                          null,
                          null,
                          null)),
                  null));
        } else {
          send(
              ex,
              200,
              new Page<>(
                  disks.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList(),
                  null));
        }
      }
      case "POST disks" -> {
        if (parts.length == 2) {
          CreateDiskRequest req = mapper.readValue(ex.getRequestBody(), CreateDiskRequest.class);
          Checks.name(req.name(), "name");
          if (disks.containsKey(req.name())) {
            error(ex, ErrorCode.CONFLICT, "disk " + req.name() + " already exists");
            return;
          }
          Disk d =
              new Disk(
                  UUID.randomUUID(),
                  userId,
                  req.name(),
                  req.sizeGb() == null ? 100 : req.sizeGb(),
                  "gp3",
                  "us-east-1a",
                  null,
                  null,
                  null,
                  false,
                  Instant.now(),
                  null);
          disks.put(d.name(), d);
          audit(user, "disk.create", "disk", d.id().toString());
          send(ex, 201, d);
        } else {
          Disk d = disks.remove(parts[2]);
          if (d == null) {
            error(ex, ErrorCode.NOT_FOUND, "disk " + parts[2] + " not found");
            return;
          }
          RenameDiskRequest req = mapper.readValue(ex.getRequestBody(), RenameDiskRequest.class);
          Disk renamed =
              new Disk(
                  d.id(),
                  d.userId(),
                  req.newName(),
                  d.sizeGb(),
                  d.storageClass(),
                  d.zone(),
                  d.pvcName(),
                  d.inUseBy(),
                  d.lastSnapshotName(),
                  false,
                  d.createdAt(),
                  null);
          disks.put(renamed.name(), renamed);
          audit(user, "disk.rename", "disk", d.id().toString());
          send(ex, 200, renamed);
        }
      }
      case "DELETE disks" -> {
        if (disks.remove(parts[2]) == null) {
          error(ex, ErrorCode.NOT_FOUND, "disk " + parts[2] + " not found");
        } else {
          audit(user, "disk.delete", "disk", parts[2]);
          ex.sendResponseHeaders(204, -1);
        }
      }
      case "GET audit" -> {
        if (parts.length == 3 && parts[2].equals("verify")) {
          send(ex, 200, new AuditVerification(true, audit.size(), null, null));
          return;
        }
        List<AuditEvent> list =
            audit.stream()
                .filter(e -> !q.containsKey("action") || e.action().equals(q.get("action")))
                .filter(e -> !q.containsKey("actor") || e.actor().equals(q.get("actor")))
                .filter(
                    e ->
                        !q.containsKey("resourceType")
                            || e.resourceType().equals(q.get("resourceType")))
                .filter(
                    e -> !q.containsKey("since") || !e.at().isBefore(Instant.parse(q.get("since"))))
                .toList();
        int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
        send(ex, 200, new Page<>(list.subList(0, Math.min(limit, list.size())), null));
      }
      case "POST api-keys" -> {
        CreateApiKeyRequest req = mapper.readValue(ex.getRequestBody(), CreateApiKeyRequest.class);
        Checks.notBlank(req.name(), "name");
        send(ex, 201, issueKey(req.name(), req.ttlHours() == null ? 24 : req.ttlHours()));
      }
      case "GET api-keys" -> send(ex, 200, List.copyOf(apiKeyMeta.values()));
      case "DELETE api-keys" -> {
        ApiKey k = apiKeyMeta.get(UUID.fromString(parts[2]));
        if (k == null) {
          error(ex, ErrorCode.NOT_FOUND, "API key " + parts[2] + " not found");
          return;
        }
        apiKeyMeta.put(
            k.id(),
            new ApiKey(
                k.id(),
                k.userId(),
                k.name(),
                k.prefix(),
                k.scopes(),
                k.createdAt(),
                k.expiresAt(),
                Instant.now(),
                k.lastUsedAt()));
        apiKeys.entrySet().removeIf(e -> e.getKey().startsWith(k.prefix()));
        ex.sendResponseHeaders(204, -1);
      }
      default -> error(ex, ErrorCode.NOT_FOUND, "no such endpoint: " + method + " " + path);
    }
  }

  private ApiKeyCreated issueKey(String name, int ttlHours) {
    String secret = "odc_" + UUID.randomUUID().toString().replace("-", "");
    ApiKey meta =
        new ApiKey(
            UUID.randomUUID(),
            userId,
            name,
            secret.substring(0, 10),
            List.of(),
            Instant.now(),
            Instant.now().plusSeconds(ttlHours * 3600L),
            null,
            null);
    apiKeys.put(secret, "alice");
    apiKeyMeta.put(meta.id(), meta);
    audit("alice", "apikey.create", "apikey", meta.id().toString());
    return new ApiKeyCreated(meta, secret);
  }

  private void createReservation(HttpExchange ex, String user) throws IOException {
    CreateReservationRequest req =
        mapper.readValue(ex.getRequestBody(), CreateReservationRequest.class);
    GpuType type =
        GPU_TYPES.stream().filter(t -> t.name().equals(req.gpuType())).findFirst().orElse(null);
    if (type == null) {
      error(
          ex,
          ErrorCode.INVALID_ARGUMENT,
          "unknown GPU type '" + req.gpuType() + "'; known: h100, a100");
      return;
    }
    if (req.gpuCount() > type.gpusPerNode()) {
      error(
          ex,
          ErrorCode.INVALID_ARGUMENT,
          "gpuCount "
              + req.gpuCount()
              + " is more than a "
              + type.name()
              + " node has ("
              + type.gpusPerNode()
              + ")");
      return;
    }
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    String name = req.name() != null ? req.name() : "res-" + id.toString().substring(0, 8);
    Reservation r =
        new Reservation(
            id,
            userId,
            user,
            name,
            type.name(),
            req.gpuCount(),
            req.nodeCount() == null ? 1 : req.nodeCount(),
            req.image(),
            req.hours(),
            "none".equals(req.disk()) ? null : req.disk(),
            req.labels(),
            ReservationStatus.PENDING,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            now,
            null,
            null,
            null,
            List.of(),
            List.of(new StatusChange(ReservationStatus.PENDING, now, user, null)),
            0);
    reservations.put(id, r);
    audit(user, "reservation.create", "reservation", id.toString());
    send(ex, 202, r);
  }

  private Optional<Reservation> find(String idOrPrefix) {
    return reservations.values().stream()
        .filter(r -> r.id().toString().startsWith(idOrPrefix))
        .findFirst();
  }

  private List<Reservation> live() {
    return reservations.values().stream().filter(r -> !r.status().isTerminal()).toList();
  }

  private void audit(String actor, String action, String type, String id) {
    audit.add(
        new AuditEvent(
            audit.size() + 1,
            Instant.now(),
            actor,
            action,
            type,
            id,
            AuditEvent.SUCCESS,
            Map.of(),
            "0",
            "0"));
  }

  private void error(HttpExchange ex, ErrorCode code, String message) throws IOException {
    send(ex, code.httpStatus(), ErrorResponse.of(code, message == null ? code.name() : message));
  }

  private void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = mapper.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
