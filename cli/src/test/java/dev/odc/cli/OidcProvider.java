package dev.odc.cli;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Date;
import java.util.Optional;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * mock-oauth2-server as the identity provider, and a verifier the API stand-in uses: signature
 * against the provider's JWKS, issuer and expiry, username from {@code sub}.
 */
final class OidcProvider implements AutoCloseable {
  static final String ISSUER_ID = "odc";

  final MockOAuth2Server server = new MockOAuth2Server();

  OidcProvider() {
    server.start();
  }

  String issuer() {
    return server.issuerUrl(ISSUER_ID).toString();
  }

  Optional<String> verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      JWKSet keys = JWKSet.load(server.jwksUrl(ISSUER_ID).url());
      RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
      if (key == null) {
        return Optional.empty();
      }
      JWSVerifier verifier = new RSASSAVerifier(key);
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!jwt.verify(verifier)
          || !issuer().equals(claims.getIssuer())
          || claims.getExpirationTime() == null
          || claims.getExpirationTime().before(new Date())) {
        return Optional.empty();
      }
      return Optional.of(claims.getSubject());
    } catch (Exception e) {
      // Anything unparsable or unverifiable is simply not a valid token.
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
