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
 * Figure 6: RS256 tokens verified per second on one thread (one core) by the api-service's OIDC
 * verifier (nimbus-jose-jwt's processor) with its JWKS cached, next to bare {@code SHA256withRSA}
 * verifications of the same bytes; 6c: the same verifier with its verified-token cache, where a
 * repeated token costs a SHA-256 of the token and a key lookup in the cached JWKS.
 */
final class TokenBench {
  private TokenBench() {}

  static void run(BenchEnv env, Report report, boolean quick) throws Exception {
    TokenIssuer issuer = env.issuer();
    OidcConfig config = new OidcConfig();
    config.issuer = issuer.issuer();
    config.audience = TokenIssuer.AUDIENCE;
    config.clientId = "odc-cli";
    OidcConfig cachedConfig = new OidcConfig();
    cachedConfig.issuer = config.issuer;
    cachedConfig.audience = config.audience;
    cachedConfig.clientId = config.clientId;
    // figure 6 measures verification itself: no verified-token cache
    config.verifiedTokenCacheSize = 0;
    // verifiedClaims never looks a user up, so the directory needs no database.
    OidcAuthProvider provider =
        new OidcAuthProvider(config, new UserDirectory(null, Clock.systemUTC()));
    OidcAuthProvider cachedProvider =
        new OidcAuthProvider(cachedConfig, new UserDirectory(null, Clock.systemUTC()));
    // Distinct tokens (different subjects, so different signatures), cycled: without the cache
    // each is verified every time; with it, each after its first use is a cache hit.
    int distinct = quick ? 16 : 256;
    String[] tokens = new String[distinct];
    byte[][] inputs = new byte[distinct][];
    byte[][] signatures = new byte[distinct][];
    for (int i = 0; i < distinct; i++) {
      tokens[i] = issuer.token("alice" + i);
      String[] parts = tokens[i].split("\\.");
      inputs[i] = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
      signatures[i] = new Base64URL(parts[2]).decode();
    }
    String token = tokens[0];
    Optional<JWTClaimsSet> first = provider.verifiedClaims(token);
    if (first.isEmpty()) {
      throw new IllegalStateException("the api-service's verifier refused the bench token");
    }
    if (provider.verifiedClaims(token.substring(0, token.length() - 4) + "AAAA").isPresent()) {
      throw new IllegalStateException("the verifier accepted a token with a broken signature");
    }
    RSAPublicKey publicKey = issuer.key().toRSAPublicKey();
    Signature rsa = Signature.getInstance("SHA256withRSA");
    int[] next = {0, 0};
    Check verifier = () -> provider.verifiedClaims(tokens[next[0]++ % distinct]).isPresent();
    int[] nextCached = {0};
    Check cached =
        () -> cachedProvider.verifiedClaims(tokens[nextCached[0]++ % distinct]).isPresent();
    Check bare =
        () -> {
          int i = next[1]++ % distinct;
          return raw(rsa, publicKey, inputs[i], signatures[i]);
        };

    long millis = quick ? 300 : 5000;
    long warmup = quick ? 200 : 2000;
    loop(verifier, warmup);
    loop(bare, warmup);
    loop(cached, warmup);
    // Interleaved slices, so that load from elsewhere on the machine falls on both alike.
    long slice = quick ? 50 : 250;
    long[] verified = new long[2];
    long[] rawRuns = new long[2];
    long[] cachedRuns = new long[2];
    for (long spent = 0; spent < millis; spent += slice) {
      add(verified, timed(verifier, slice));
      add(rawRuns, timed(bare, slice));
      add(cachedRuns, timed(cached, slice));
    }
    double verifierRate = verified[0] / (verified[1] / 1e9);
    double rawRate = rawRuns[0] / (rawRuns[1] / 1e9);
    double cachedRate = cachedRuns[0] / (cachedRuns[1] / 1e9);
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
            "OidcAuthProvider.verifiedClaims (nimbus DefaultJWTProcessor): signature, algorithm,"
                + " typ, iss, aud, sub, exp, iat; 2048-bit key; "
                + distinct
                + " distinct tokens cycled, no verified-token cache; interleaved "
                + slice
                + " ms slices with the baseline"));
    report.add(
        new Figure(
            "6c",
            "Token verification with the verified-token cache (RS256, one core)",
            cachedRate,
            "tokens/s",
            "raw SHA256withRSA verify",
            rawRate,
            true,
            "≥ 20,000/s",
            cachedRate >= 20_000,
            "the same "
                + distinct
                + " tokens repeated: a hit costs the token's SHA-256 and a key lookup in the"
                + " cached JWKS; same run and slices as 6"));
  }

  private static void add(long[] total, long[] part) {
    total[0] += part[0];
    total[1] += part[1];
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

  /** Runs {@code check} for about {@code millis}; returns {successes, nanoseconds}. */
  static long[] timed(Check check, long millis) throws Exception {
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
    return new long[] {n, now - start};
  }

  /** Runs {@code check} for about {@code millis} on this thread; returns successes per second. */
  static double loop(Check check, long millis) throws Exception {
    long[] run = timed(check, millis);
    return run[0] / (run[1] / 1e9);
  }
}
