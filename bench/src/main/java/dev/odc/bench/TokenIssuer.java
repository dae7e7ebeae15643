package dev.odc.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A minimal OIDC issuer on loopback: a discovery document and a JWKS, and RS256 tokens signed here.
 * Enough for the api-service's verifier, which only reads discovery and the keys.
 */
final class TokenIssuer implements AutoCloseable {
  static final String AUDIENCE = "odc";

  private final HttpServer server;
  private final RSAKey key;
  private final String issuer;

  private TokenIssuer(HttpServer server, RSAKey key, String issuer) {
    this.server = server;
    this.key = key;
    this.issuer = issuer;
  }

  static TokenIssuer start() throws IOException, JOSEException {
    RSAKey key = new RSAKeyGenerator(2048).keyID("bench-1").generate();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/bench";
    String discovery =
        "{\"issuer\":\""
            + issuer
            + "\",\"jwks_uri\":\""
            + issuer
            + "/jwks\",\"authorization_endpoint\":\""
            + issuer
            + "/authorize\",\"token_endpoint\":\""
            + issuer
            + "/token\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
    String jwks = new JWKSet(key.toPublicJWK()).toString();
    server.createContext("/bench/.well-known/openid-configuration", ex -> reply(ex, discovery));
    server.createContext("/bench/jwks", ex -> reply(ex, jwks));
    server.start();
    return new TokenIssuer(server, key, issuer);
  }

  private static void reply(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  String issuer() {
    return issuer;
  }

  RSAKey key() {
    return key;
  }

  /** An RS256 token for {@code username}, valid for two hours. */
  String token(String username) {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject("bench-" + username)
            .audience(List.of(AUDIENCE))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofHours(2))))
            .claim("preferred_username", username)
            .claim("email", username + "@bench.test")
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a bench token", e);
    }
    return jwt.serialize();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
