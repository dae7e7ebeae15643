package dev.odc.bench;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.odc.api.ApiConfiguration.OidcConfig;
import dev.odc.api.auth.OidcAuthProvider;
import dev.odc.api.auth.UserDirectory;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Optional;

/**
 * Figure 6: RS256 tokens verified per second on one thread (one core) by the api-service's own OIDC
 * verifier with its JWKS cached, next to bare {@code SHA256withRSA} verifications of the same
 * bytes.
 */
final class TokenBench {
  private TokenBench() {}

  static void run(BenchEnv env, Report report, boolean quick) throws Exception {
    TokenIssuer issuer = env.issuer();
    OidcConfig config = new OidcConfig();
    config.issuer = issuer.issuer();
    config.audience = TokenIssuer.AUDIENCE;
    config.clientId = "odc-cli";
    // verifiedClaims never looks a user up, so the directory needs no database.
    OidcAuthProvider provider =
        new OidcAuthProvider(config, new UserDirectory(null, Clock.systemUTC()));
    String token = issuer.token("alice");
    Optional<JWTClaimsSet> first = provider.verifiedClaims(token);
    if (first.isEmpty()) {
      throw new IllegalStateException("the api-service's verifier refused the bench token");
    }
    if (provider.verifiedClaims(token.substring(0, token.length() - 4) + "AAAA").isPresent()) {
      throw new IllegalStateException("the verifier accepted a token with a broken signature");
    }
    String[] parts = token.split("\\.");
    byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    byte[] signature = new Base64URL(parts[2]).decode();
    RSAPublicKey publicKey = issuer.key().toRSAPublicKey();

    long millis = quick ? 300 : 5000;
    long warmup = quick ? 200 : 2000;
    loop(() -> provider.verifiedClaims(token).isPresent(), warmup);
    double verifierRate = loop(() -> provider.verifiedClaims(token).isPresent(), millis);
    Signature rsa = Signature.getInstance("SHA256withRSA");
    loop(() -> raw(rsa, publicKey, signingInput, signature), warmup);
    double rawRate = loop(() -> raw(rsa, publicKey, signingInput, signature), millis);
    report.add(
        new Figure(
            "6",
            "Token verification (RS256, one core)",
            verifierRate,
            "tokens/s",
            "raw SHA256withRSA verify",
            rawRate,
            true,
            "≥ 20,000/s",
            verifierRate >= 20_000,
            "OidcAuthProvider.verifiedClaims: signature, algorithm, iss, aud, exp; 2048-bit key"));
  }

  private static boolean raw(Signature rsa, RSAPublicKey key, byte[] input, byte[] signature)
      throws Exception {
    rsa.initVerify(key);
    rsa.update(input);
    return rsa.verify(signature);
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Runs {@code check} for about {@code millis} on this thread; returns successes per second. */
  static double loop(Check check, long millis) throws Exception {
    long end = System.nanoTime() + millis * 1_000_000;
    long start = System.nanoTime();
    long n = 0;
    long now;
    do {
      for (int i = 0; i < 50; i++) {
        if (!check.ok()) {
          throw new IllegalStateException("a valid token was refused");
        }
      }
      n += 50;
      now = System.nanoTime();
    } while (now < end);
    return n / ((now - start) / 1e9);
  }
}
