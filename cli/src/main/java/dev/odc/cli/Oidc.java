package dev.odc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * OpenID Connect for a public client: discovery, authorization code with PKCE (S256) on a loopback
 * redirect, the device authorization grant (RFC 8628) and refresh.
 */
public final class Oidc {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CLOSE_PAGE =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>gpu-dev login</title></head>"
          + "<body style=\"font-family:sans-serif\"><h2>%s</h2>"
          + "<p>You can close this window and return to the terminal.</p></body></html>";

  private final HttpClient http;
  private final ObjectMapper mapper;
  private final Clock clock;

  public Oidc(HttpClient http, ObjectMapper mapper, Clock clock) {
    this.http = http;
    this.mapper = mapper;
    this.clock = clock;
  }

  /** The provider's endpoints from its discovery document. */
  public record Endpoints(
      String issuer,
      String authorizationEndpoint,
      String tokenEndpoint,
      String deviceAuthorizationEndpoint) {}

  /** What the token endpoint answered. */
  public record TokenResponse(
      String accessToken, String refreshToken, String idToken, Instant expiresAt) {}

  /** What the device authorization endpoint answered. */
  public record DeviceCode(
      String deviceCode,
      String userCode,
      String verificationUri,
      String verificationUriComplete,
      int intervalSeconds,
      Instant expiresAt) {}

  public Endpoints discover(String issuer) {
    String url =
        (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
            + "/.well-known/openid-configuration";
    JsonNode doc = getJson(url);
    String token = doc.path("token_endpoint").asText(null);
    if (token == null) {
      throw new CliException(
          ExitCodes.ERROR, "the identity provider's discovery document has no token_endpoint");
    }
    return new Endpoints(
        doc.path("issuer").asText(issuer),
        doc.path("authorization_endpoint").asText(null),
        token,
        doc.path("device_authorization_endpoint").asText(null));
  }

  // ---- authorization code + PKCE ----

  /** One pending browser login: the loopback server and the values the callback must match. */
  public final class BrowserLogin implements AutoCloseable {
    private final HttpServer server;
    private final String state = randomToken();
    private final String nonce = randomToken();
    private final String verifier = randomToken();
    private final CompletableFuture<String> code = new CompletableFuture<>();
    private final Endpoints endpoints;
    private final String clientId;
    private final List<String> scopes;
    private final String audience;

    BrowserLogin(
        HttpServer server,
        Endpoints endpoints,
        String clientId,
        List<String> scopes,
        String audience) {
      this.server = server;
      this.endpoints = endpoints;
      this.clientId = clientId;
      this.scopes = scopes;
      this.audience = audience;
      server.createContext("/callback", this::callback);
      server.start();
    }

    public String redirectUri() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/callback";
    }

    public int port() {
      return server.getAddress().getPort();
    }

    public String authorizationUrl() {
      if (endpoints.authorizationEndpoint() == null) {
        throw new CliException(
            ExitCodes.ERROR, "the identity provider has no authorization endpoint; try --device");
      }
      Map<String, String> q = new LinkedHashMap<>();
      q.put("response_type", "code");
      q.put("client_id", clientId);
      q.put("redirect_uri", redirectUri());
      q.put("scope", String.join(" ", scopes.isEmpty() ? List.of("openid") : scopes));
      q.put("state", state);
      q.put("nonce", nonce);
      q.put("code_challenge", challenge(verifier));
      q.put("code_challenge_method", "S256");
      if (audience != null && !audience.isBlank()) {
        q.put("audience", audience);
      }
      String sep = endpoints.authorizationEndpoint().contains("?") ? "&" : "?";
      return endpoints.authorizationEndpoint() + sep + form(q);
    }

    /** Waits for the browser to come back, then exchanges the code and checks the nonce. */
    public TokenResponse await(Duration timeout) {
      String authCode;
      try {
        authCode = code.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new CliException(
            ExitCodes.AUTH_NEEDED,
            "login timed out after " + timeout.toSeconds() + " s waiting for the browser");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof CliException c
            ? c
            : new CliException(ExitCodes.AUTH_NEEDED, "login failed: " + e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCodes.AUTH_NEEDED, "login interrupted");
      }
      Map<String, String> form = new LinkedHashMap<>();
      form.put("grant_type", "authorization_code");
      form.put("code", authCode);
      form.put("redirect_uri", redirectUri());
      form.put("client_id", clientId);
      form.put("code_verifier", verifier);
      TokenResponse tokens = tokenRequest(endpoints.tokenEndpoint(), form);
      checkNonce(tokens.idToken(), nonce);
      return tokens;
    }

    private void callback(HttpExchange exchange) throws IOException {
      Map<String, String> q = parseQuery(exchange.getRequestURI().getRawQuery());
      String heading;
      int status;
      Runnable outcome;
      if (!state.equals(q.get("state"))) {
        // Not our login (or a forged redirect): refuse it and stop, the code must not be used.
        heading = "Login failed: the state parameter does not match.";
        status = 400;
        outcome =
            () ->
                code.completeExceptionally(
                    new CliException(
                        ExitCodes.AUTH_NEEDED, "login failed: state mismatch in the redirect"));
      } else if (q.containsKey("error")) {
        heading = "Login failed: " + escape(q.get("error"));
        status = 400;
        String description =
            q.containsKey("error_description") ? " (" + q.get("error_description") + ")" : "";
        outcome =
            () ->
                code.completeExceptionally(
                    new CliException(
                        ExitCodes.AUTH_NEEDED,
                        "login refused by the identity provider: " + q.get("error") + description));
      } else if (q.get("code") == null) {
        heading = "Login failed: no authorization code.";
        status = 400;
        outcome = () -> {};
      } else {
        heading = "Logged in to ODC.";
        status = 200;
        outcome = () -> code.complete(q.get("code"));
      }
      byte[] page = String.format(CLOSE_PAGE, heading).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      try {
        exchange.sendResponseHeaders(status, page.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(page);
        }
      } finally {
        // Only after the page is sent: completing lets the CLI stop this server.
        outcome.run();
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /**
   * Starts the loopback server on the first free port of {@code ports}, or on any free port when
   * all are taken (or the list is empty).
   */
  public BrowserLogin startBrowserLogin(
      Endpoints endpoints,
      String clientId,
      List<String> scopes,
      String audience,
      List<Integer> ports) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int port : ports) {
      try {
        return new BrowserLogin(
            HttpServer.create(new InetSocketAddress(loopback, port), 0),
            endpoints,
            clientId,
            scopes,
            audience);
      } catch (BindException e) {
        // Taken: try the next one.
      } catch (IOException e) {
        throw new CliException(
            ExitCodes.ERROR, "cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
      }
    }
    try {
      return new BrowserLogin(
          HttpServer.create(new InetSocketAddress(loopback, 0), 0),
          endpoints,
          clientId,
          scopes,
          audience);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "cannot listen on a loopback port: " + e.getMessage(), e);
    }
  }

  // ---- device flow (RFC 8628) ----

  public DeviceCode startDevice(
      Endpoints endpoints, String clientId, List<String> scopes, String audience) {
    if (endpoints.deviceAuthorizationEndpoint() == null) {
      throw new CliException(
          ExitCodes.ERROR,
          "the identity provider does not offer the device flow; use a browser login");
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("client_id", clientId);
    form.put("scope", String.join(" ", scopes.isEmpty() ? List.of("openid") : scopes));
    if (audience != null && !audience.isBlank()) {
      form.put("audience", audience);
    }
    JsonNode json = postForm(endpoints.deviceAuthorizationEndpoint(), form).json();
    if (!json.hasNonNull("device_code")) {
      throw new CliException(
          ExitCodes.AUTH_NEEDED, "device authorization failed: " + describeError(json));
    }
    return new DeviceCode(
        json.path("device_code").asText(),
        json.path("user_code").asText(),
        json.path("verification_uri").asText(json.path("verification_url").asText(null)),
        json.path("verification_uri_complete").asText(null),
        json.path("interval").asInt(5),
        clock.instant().plusSeconds(json.path("expires_in").asLong(600)));
  }

  /** Polls the token endpoint until the user approves, denies, or the code expires. */
  public TokenResponse pollDevice(Endpoints endpoints, String clientId, DeviceCode device) {
    long intervalMillis = Math.max(0, device.intervalSeconds()) * 1000L;
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
    form.put("device_code", device.deviceCode());
    form.put("client_id", clientId);
    while (true) {
      if (clock.instant().isAfter(device.expiresAt())) {
        throw new CliException(
            ExitCodes.AUTH_NEEDED, "the device code expired; run `gpu-dev login --device` again");
      }
      FormResult result = postForm(endpoints.tokenEndpoint(), form);
      if (result.status() / 100 == 2) {
        return parseTokens(result.json());
      }
      String error = result.json().path("error").asText("");
      switch (error) {
        case "authorization_pending" -> {}
        case "slow_down" -> intervalMillis += 5000;
        case "access_denied" -> throw new CliException(ExitCodes.AUTH_NEEDED, "login was denied");
        case "expired_token" ->
            throw new CliException(
                ExitCodes.AUTH_NEEDED,
                "the device code expired; run `gpu-dev login --device` again");
        default ->
            throw new CliException(
                ExitCodes.AUTH_NEEDED, "device login failed: " + describeError(result.json()));
      }
      try {
        // RFC 8628 asks clients to wait `interval` seconds between polls.
        Thread.sleep(Math.max(intervalMillis, 100));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCodes.AUTH_NEEDED, "login interrupted");
      }
    }
  }

  // ---- refresh ----

  /** Trades the refresh token for new tokens; the caller falls back to a full login on failure. */
  public TokenResponse refresh(String tokenEndpoint, String clientId, String refreshToken) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", refreshToken);
    form.put("client_id", clientId);
    return tokenRequest(tokenEndpoint, form);
  }

  // ---- helpers ----

  private TokenResponse tokenRequest(String endpoint, Map<String, String> form) {
    FormResult result = postForm(endpoint, form);
    if (result.status() / 100 != 2) {
      throw new CliException(
          ExitCodes.AUTH_NEEDED, "token request failed: " + describeError(result.json()));
    }
    return parseTokens(result.json());
  }

  private TokenResponse parseTokens(JsonNode json) {
    String access = json.path("access_token").asText(null);
    if (access == null) {
      throw new CliException(ExitCodes.AUTH_NEEDED, "the token endpoint returned no access token");
    }
    Instant expires =
        json.hasNonNull("expires_in")
            ? clock.instant().plusSeconds(json.path("expires_in").asLong())
            : null;
    return new TokenResponse(
        access,
        json.path("refresh_token").asText(null),
        json.path("id_token").asText(null),
        expires);
  }

  private void checkNonce(String idToken, String expected) {
    if (idToken == null) {
      return;
    }
    JsonNode claims = jwtClaims(idToken);
    if (claims.has("nonce") && !expected.equals(claims.path("nonce").asText())) {
      throw new CliException(
          ExitCodes.AUTH_NEEDED, "login failed: the ID token's nonce does not match");
    }
  }

  /** The claims of a JWT, unverified: the API verifies tokens, the CLI only reads them. */
  public JsonNode jwtClaims(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length < 2) {
      throw new CliException(ExitCodes.AUTH_NEEDED, "login failed: malformed ID token");
    }
    try {
      return mapper.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(ExitCodes.AUTH_NEEDED, "login failed: malformed ID token", e);
    }
  }

  private record FormResult(int status, JsonNode json) {}

  private FormResult postForm(String url, Map<String, String> form) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form(form)))
            .build();
    try {
      HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = mapper.readTree(resp.body());
      } catch (IOException e) {
        json = mapper.createObjectNode().put("error", "HTTP " + resp.statusCode());
      }
      return new FormResult(resp.statusCode(), json == null ? mapper.createObjectNode() : json);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "cannot reach the identity provider at " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted", e);
    }
  }

  private JsonNode getJson(String url) {
    try {
      HttpResponse<String> resp =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        throw new CliException(
            ExitCodes.ERROR,
            "identity provider discovery at " + url + " answered HTTP " + resp.statusCode());
      }
      return mapper.readTree(resp.body());
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot reach the identity provider at " + url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted", e);
    }
  }

  private static String describeError(JsonNode json) {
    String error = json.path("error").asText("unknown error");
    String description = json.path("error_description").asText(null);
    return description == null ? error : error + " (" + description + ")";
  }

  static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The PKCE S256 challenge: base64url(SHA-256(verifier)). */
  static String challenge(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach(
        (k, v) -> {
          if (!sb.isEmpty()) {
            sb.append('&');
          }
          sb.append(ApiClient.enc(k)).append('=').append(ApiClient.enc(v));
        });
    return sb.toString();
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
