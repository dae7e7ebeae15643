package dev.odc.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.odc.api.ApiConfiguration.OidcConfig;
import io.dropwizard.util.Duration;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OidcAuthProvider#verifiedClaims} against a loopback issuer (real HTTP discovery and JWKS
 * that the test can rotate): what nimbus's processor and the verified-token cache accept and
 * refuse, and the JWKS is fetched once, then again only for an unknown kid.
 */
class OidcAuthProviderTest {
  HttpServer server;
  String issuer;
  volatile String jwks;
  final AtomicInteger jwksFetches = new AtomicInteger();
  RSAKey rsa1;
  OidcAuthProvider provider;

  @BeforeEach
  void start() throws Exception {
    rsa1 = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    publish(rsa1);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/iss";
    String discovery = "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks\"}";
    server.createContext("/iss/.well-known/openid-configuration", ex -> reply(ex, discovery));
    server.createContext(
        "/iss/jwks",
        ex -> {
          jwksFetches.incrementAndGet();
          reply(ex, jwks);
        });
    server.start();
    provider = new OidcAuthProvider(config(List.of("RS256", "ES256")), null);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  OidcConfig config(List<String> algorithms) {
    OidcConfig config = new OidcConfig();
    config.issuer = issuer;
    config.audience = "odc";
    config.clientId = "odc-cli";
    config.allowedAlgorithms = algorithms;
    config.jwksRefreshMinInterval = Duration.milliseconds(1);
    return config;
  }

  void publish(JWK... keys) {
    List<JWK> pub = new ArrayList<>();
    for (JWK k : keys) {
      pub.add(k.toPublicJWK());
    }
    jwks = new JWKSet(pub).toString();
  }

  private static void reply(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject("sub-1")
        .audience("odc")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(600)))
        .claim("preferred_username", "alice");
  }

  static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
    return sign(
        new JWSHeader.Builder(JWSAlgorithm.RS256)
            .keyID(key.getKeyID())
            .type(JOSEObjectType.JWT)
            .build(),
        claims,
        new RSASSASigner(key));
  }

  boolean accepted(String token) throws Exception {
    return provider.verifiedClaims(token).isPresent();
  }

  @Test
  void validTokensVerifyAndTheJwksIsFetchedOnce() throws Exception {
    String token = rs256(rsa1, claims().build());
    for (int i = 0; i < 50; i++) {
      JWTClaimsSet verified = provider.verifiedClaims(token).orElseThrow();
      assertThat(verified.getSubject()).isEqualTo("sub-1");
      assertThat(verified.getStringClaim("preferred_username")).isEqualTo("alice");
    }
    // a token without kid and without typ is fine too
    assertThat(
            accepted(
                sign(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
                    claims().build(),
                    new RSASSASigner(rsa1))))
        .isTrue();
    assertThat(jwksFetches.get()).isEqualTo(1);
  }

  @Test
  void aRotatedKeyIsFetchedWhenATokenNamesItsKid() throws Exception {
    assertThat(accepted(rs256(rsa1, claims().build()))).isTrue();
    RSAKey rsa2 = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    publish(rsa1, rsa2);
    Thread.sleep(5); // past jwksRefreshMinInterval (1 ms), so the refetch is allowed
    assertThat(accepted(rs256(rsa2, claims().build()))).isTrue();
    assertThat(jwksFetches.get()).isEqualTo(2);
    // both keys keep working without further fetches
    assertThat(accepted(rs256(rsa1, claims().build()))).isTrue();
    assertThat(accepted(rs256(rsa2, claims().build()))).isTrue();
    assertThat(jwksFetches.get()).isEqualTo(2);
  }

  @Test
  void everyBadTokenIsRefused() throws Exception {
    String good = rs256(rsa1, claims().build());
    assertThat(accepted(good)).isTrue();
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    String[] parts = good.split("\\.");
    JWTClaimsSet elevated = claims().claim("groups", List.of("odc-admins")).build();
    Instant past = Instant.now().minusSeconds(3600);
    List<String> bad =
        List.of(
            // same kid, another key
            rs256(stranger, claims().build()),
            // tampered payload
            parts[0]
                + "."
                + Base64URL.encode(elevated.toString().getBytes(StandardCharsets.UTF_8))
                + "."
                + parts[2],
            // broken signature
            good.substring(0, good.length() - 4) + "AAAA",
            // expired long ago
            rs256(
                rsa1,
                claims()
                    .issueTime(Date.from(past))
                    .expirationTime(Date.from(past.plusSeconds(60)))
                    .build()),
            // not yet valid
            rs256(rsa1, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(3600))).build()),
            // wrong audience, wrong issuer, no subject
            rs256(rsa1, claims().audience("other").build()),
            rs256(rsa1, claims().issuer("https://evil.example").build()),
            rs256(rsa1, claims().subject(null).build()),
            // RS384 is not in the allowed list of this provider
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("rsa-1").build(),
                claims().build(),
                new RSASSASigner(rsa1)),
            // a critical header parameter nobody understands
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID("rsa-1")
                    .criticalParams(Set.of("odc-unknown"))
                    .customParam("odc-unknown", true)
                    .build(),
                claims().build(),
                new RSASSASigner(rsa1)),
            // another token type
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID("rsa-1")
                    .type(new JOSEObjectType("at+jwt-other"))
                    .build(),
                claims().build(),
                new RSASSASigner(rsa1)),
            // header and payload that are not JSON objects
            Base64URL.encode("[1]") + "." + parts[1] + "." + parts[2],
            parts[0] + "." + Base64URL.encode("not json") + "." + parts[2],
            "a.b.c",
            "a.b",
            "");
    for (String token : bad) {
      assertThat(accepted(token)).as(token).isFalse();
    }
    // an unknown kid fetches the JWKS again (rate-limited), and is refused
    RSAKey unknown = new RSAKeyGenerator(2048).keyID("nobody").generate();
    Thread.sleep(5);
    int before = jwksFetches.get();
    assertThat(accepted(rs256(unknown, claims().build()))).isFalse();
    assertThat(jwksFetches.get()).isEqualTo(before + 1);
  }

  @Test
  void otherAllowedAlgorithmsStillVerifyThroughNimbus() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    publish(rsa1, ec);
    String es256 =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
            claims().build(),
            new ECDSASigner(ec));
    assertThat(accepted(es256)).isTrue();
    assertThat(accepted(es256.substring(0, es256.length() - 4) + "AAAA")).isFalse();
    assertThat(accepted(rs256(rsa1, claims().build()))).isTrue();
  }

  @Test
  void verifyLooksUpNoUserForRefusedTokens() throws Exception {
    // the directory is null here: a refused token must not reach it
    assertThat(
            provider.verify(
                rs256(new RSAKeyGenerator(2048).keyID("x").generate(), claims().build())))
        .isEmpty();
  }

  @Test
  void aTokenNamingAnotherKeysThumbprintCannotMakeValidTokensFail() throws Exception {
    // the JWKS holds a second key with an X.509 thumbprint; an unauthenticated token that names
    // that thumbprint (and no kid) must not change which key verifies tokens without kid
    RSAKey withThumbprint = new RSAKeyGenerator(2048).keyID("rsa-x5t").generate();
    RSAKey published =
        new RSAKey.Builder(withThumbprint.toRSAPublicKey())
            .keyID(null)
            .x509CertSHA256Thumbprint(Base64URL.encode("thumbprint-of-another-key"))
            .build();
    RSAKey noKid =
        new RSAKey.Builder(rsa1.toRSAPublicKey()).privateKey(rsa1.toPrivateKey()).build();
    publish(noKid, published);
    String valid =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
            claims().build(),
            new RSASSASigner(rsa1));
    String poison =
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .x509CertSHA256Thumbprint(Base64URL.encode("thumbprint-of-another-key"))
                .build(),
            claims().build(),
            new RSASSASigner(new RSAKeyGenerator(2048).generate()));
    assertThat(accepted(poison)).isFalse();
    assertThat(accepted(valid)).isTrue();
    assertThat(accepted(poison)).isFalse();
    assertThat(accepted(valid)).isTrue();
  }

  @Test
  void aKeyRemovedFromTheJwksStopsWorkingOnceTheJwksIsFetchedAgain() throws Exception {
    OidcConfig config = config(List.of("RS256"));
    config.jwksCacheTtl = Duration.milliseconds(200);
    provider = new OidcAuthProvider(config, null);
    RSAKey rsa2 = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    publish(rsa1, rsa2);
    String signedByRsa2 = rs256(rsa2, claims().build());
    assertThat(accepted(signedByRsa2)).isTrue();
    publish(rsa1);
    // the JWKS cache lives 200 ms; the key must stop working as soon as the JWKS is read again,
    // not a fixed time later
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .pollInterval(java.time.Duration.ofMillis(50))
        .until(() -> !accepted(signedByRsa2));
    assertThat(accepted(rs256(rsa1, claims().build()))).isTrue();
  }

  @Test
  void aNullPayloadOrABlankSubjectIsRefusedNotAnError() throws Exception {
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build();
    com.nimbusds.jose.JWSObject nullPayload =
        new com.nimbusds.jose.JWSObject(header, new com.nimbusds.jose.Payload("null"));
    nullPayload.sign(new RSASSASigner(rsa1));
    assertThat(accepted(nullPayload.serialize())).isFalse();
    // the directory is null: a blank subject must be refused before any user lookup
    assertThat(provider.verify(rs256(rsa1, claims().subject("").build()))).isEmpty();
    assertThat(provider.verify(rs256(rsa1, claims().subject("  ").build()))).isEmpty();
  }

  @Test
  void tokensWithoutIssueTimeOrLivingTooLongAreRefused() throws Exception {
    Instant now = Instant.now();
    assertThat(accepted(rs256(rsa1, claims().issueTime(null).build()))).isFalse();
    // issued in the future
    assertThat(accepted(rs256(rsa1, claims().issueTime(Date.from(now.plusSeconds(3600))).build())))
        .isFalse();
    // a ten-year token (above the 24 h default maximum lifetime)
    assertThat(
            accepted(
                rs256(
                    rsa1,
                    claims()
                        .expirationTime(Date.from(now.plusSeconds(10L * 365 * 24 * 3600)))
                        .build())))
        .isFalse();
  }

  @Test
  void idTokensAreNotAcceptedAsAccessTokens() throws Exception {
    assertThat(accepted(rs256(rsa1, claims().claim("at_hash", "abc").build()))).isFalse();
    assertThat(accepted(rs256(rsa1, claims().claim("c_hash", "abc").build()))).isFalse();
    // Dex copies the login's nonce into access tokens: a nonce alone is no mark of an ID token
    assertThat(accepted(rs256(rsa1, claims().claim("nonce", "n-1").build()))).isTrue();
    assertThat(accepted(rs256(rsa1, claims().claim("typ", "ID").build()))).isFalse();
    assertThat(accepted(rs256(rsa1, claims().claim("typ", "Bearer").build()))).isTrue();
  }

  @Test
  void aVerifiedTokenIsAnsweredFromTheCacheUntilItsKeyLeavesTheJwks() throws Exception {
    String token = rs256(rsa1, claims().build());
    JWTClaimsSet first = provider.verifiedClaims(token).orElseThrow();
    assertThat(provider.verifiedClaims(token)).contains(first);
    assertThat(provider.cachedTokens()).isEqualTo(1);
    // a token that differs in one character of the signature is not the cached one
    assertThat(accepted(token.substring(0, token.length() - 2) + "AA")).isFalse();
  }
}
