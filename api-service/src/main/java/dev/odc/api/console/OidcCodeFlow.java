package dev.odc.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.odc.api.ApiConfiguration.OidcConfig;
import dev.odc.api.auth.OidcAuthProvider;
import dev.odc.api.auth.OidcDiscovery;
import dev.odc.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OIDC authorization-code flow as a confidential (or public) client run by the api-service:
 * PKCE (S256), state and nonce; the code is exchanged and the ID token verified on the server.
 */
public class OidcCodeFlow {
  private static final ObjectMapper MAPPER = Json.newMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OidcConfig oidc;
  private final String clientId;
  private final String clientSecret;
  private final OidcDiscovery discovery;
  private final HttpClient http;
  private final Duration timeout;
  private volatile Endpoints endpoints;

  /** What the flow reads from the issuer's discovery document, and the ID token verifier. */
  private record Endpoints(
      URI authorization, URI token, DefaultJWTProcessor<SecurityContext> idTokens) {}

  /** The tokens of a successful exchange. */
  public record Tokens(String idToken, String accessToken) {
    @Override
    public String toString() {
      return "Tokens[redacted]";
    }
  }

  /** The code exchange or the ID token failed; the message is safe to log and to show. */
  public static class LoginFailedException extends Exception {
    public LoginFailedException(String message) {
      super(message);
    }

    public LoginFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public OidcCodeFlow(OidcConfig oidc, ConsoleConfig console) {
    this.oidc = oidc;
    this.clientId =
        console.clientId == null || console.clientId.isBlank() ? oidc.clientId : console.clientId;
    this.clientSecret =
        console.clientSecret == null || console.clientSecret.isBlank()
            ? null
            : console.clientSecret;
    this.timeout = Duration.ofMillis(oidc.httpTimeout.toMilliseconds());
    this.discovery = new OidcDiscovery(oidc.issuer, timeout);
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public String clientId() {
    return clientId;
  }

  /** A fresh random value of 32 bytes, base64url without padding (state, nonce, verifier). */
  public static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The S256 code challenge of a PKCE verifier. */
  public static String challenge(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Where to send the browser to log in. */
  public URI authorizationUri(String state, String nonce, String verifier, String redirectUri)
      throws IOException {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", clientId);
    query.put("redirect_uri", redirectUri);
    query.put("scope", String.join(" ", oidc.scopes));
    query.put("state", state);
    query.put("nonce", nonce);
    query.put("code_challenge", challenge(verifier));
    query.put("code_challenge_method", "S256");
    URI base = endpoints().authorization();
    String separator = base.getRawQuery() == null ? "?" : "&";
    return URI.create(base + separator + form(query));
  }

  /** Exchanges the code at the token endpoint and verifies the ID token's signature and nonce. */
  public Tokens exchange(String code, String verifier, String redirectUri, String nonce)
      throws IOException, LoginFailedException {
    Endpoints e = endpoints();
    Map<String, String> body = new LinkedHashMap<>();
    body.put("grant_type", "authorization_code");
    body.put("code", code);
    body.put("redirect_uri", redirectUri);
    body.put("code_verifier", verifier);
    body.put("client_id", clientId);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(e.token())
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
    if (clientSecret != null) {
      String basic = enc(clientId) + ":" + enc(clientSecret);
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> response;
    try {
      response =
          http.send(
              request.POST(HttpRequest.BodyPublishers.ofString(form(body))).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the token endpoint", ex);
    }
    JsonNode json;
    try {
      json = MAPPER.readTree(response.body());
    } catch (IOException ex) {
      throw new LoginFailedException(
          "the identity provider's token endpoint answered HTTP "
              + response.statusCode()
              + " without JSON");
    }
    if (response.statusCode() != 200) {
      // error and error_description are the provider's words, never a token
      throw new LoginFailedException(
          "the identity provider refused the login: "
              + json.path("error").asText("HTTP " + response.statusCode())
              + (json.hasNonNull("error_description")
                  ? " (" + json.path("error_description").asText() + ")"
                  : ""));
    }
    String idToken = json.path("id_token").asText("");
    String accessToken = json.path("access_token").asText("");
    if (idToken.isEmpty() || accessToken.isEmpty()) {
      throw new LoginFailedException(
          "the token endpoint answered without id_token or access_token");
    }
    JWTClaimsSet claims;
    try {
      claims = e.idTokens().process(idToken, null);
    } catch (ParseException | BadJOSEException | JOSEException ex) {
      throw new LoginFailedException("the ID token is not valid: " + ex.getMessage(), ex);
    }
    Object tokenNonce = claims.getClaim("nonce");
    if (!(tokenNonce instanceof String s) || !MessageDigest.isEqual(bytes(s), bytes(nonce))) {
      throw new LoginFailedException("the ID token's nonce does not match this login");
    }
    return new Tokens(idToken, accessToken);
  }

  /** The subject of a verified ID token. */
  public static String subject(String idToken) throws LoginFailedException {
    try {
      return com.nimbusds.jwt.JWTParser.parse(idToken).getJWTClaimsSet().getSubject();
    } catch (ParseException e) {
      throw new LoginFailedException("the ID token cannot be read", e);
    }
  }

  private Endpoints endpoints() throws IOException {
    Endpoints current = endpoints;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (endpoints == null) {
        OidcDiscovery.Document doc = discovery.fetchDocument();
        endpoints =
            new Endpoints(
                URI.create(doc.endpoint("authorization_endpoint")),
                URI.create(doc.endpoint("token_endpoint")),
                idTokenProcessor(URI.create(doc.endpoint("jwks_uri"))));
      }
      return endpoints;
    }
  }

  /**
   * ID tokens: the issuer's keys and algorithms as for access tokens, but our client as audience.
   */
  private DefaultJWTProcessor<SecurityContext> idTokenProcessor(URI jwks) throws IOException {
    int timeoutMs = (int) timeout.toMillis();
    JWKSource<SecurityContext> keys =
        JWKSourceBuilder.<SecurityContext>create(
                jwks.toURL(), new DefaultResourceRetriever(timeoutMs, timeoutMs, 512 * 1024))
            .cache(oidc.jwksCacheTtl.toMilliseconds(), timeoutMs)
            .rateLimited(oidc.jwksRefreshMinInterval.toMilliseconds())
            .refreshAheadCache(false)
            .retrying(false)
            .build();
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            OidcAuthProvider.allowedAlgorithms(oidc.allowedAlgorithms), keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            Set.of(clientId),
            new JWTClaimsSet.Builder().issuer(oidc.issuer).build(),
            Set.of("sub", "exp", "iat", "iss", "aud", "nonce"),
            null);
    claims.setMaxClockSkew((int) oidc.clockSkew.toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    return processor;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String form(Map<String, String> values) {
    return values.entrySet().stream()
        .map(en -> enc(en.getKey()) + "=" + enc(en.getValue()))
        .collect(Collectors.joining("&"));
  }
}
