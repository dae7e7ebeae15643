package dev.odc.api.auth;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that nimbus's processor verified, kept so the same token is not checked again on every
 * request. The key of an entry is the SHA-256 of the whole token (so one changed character is
 * another entry), an entry never outlives the token's {@code exp} nor {@code maxAge}, and a hit is
 * only good while the JWKS still selects the key that verified it: the caller asks its key selector
 * again (a lookup in the cached JWKS, no cryptography) and compares.
 */
final class VerifiedTokenCache {
  /** What verified a token: its header (for the key lookup), claims and key. */
  record Entry(JWSHeader header, JWTClaimsSet claims, Key key, Instant goodUntil) {}

  private final int maxEntries;
  private final long maxAgeMillis;
  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  VerifiedTokenCache(int maxEntries, long maxAgeMillis, Clock clock) {
    this.maxEntries = maxEntries;
    this.maxAgeMillis = maxAgeMillis;
    this.clock = clock;
  }

  boolean enabled() {
    return maxEntries > 0 && maxAgeMillis > 0;
  }

  static String digest(String token) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return java.util.HexFormat.of()
          .formatHex(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The live entry for this digest; an expired one is dropped. */
  Optional<Entry> get(String digest) {
    if (!enabled()) {
      return Optional.empty();
    }
    Entry entry = entries.get(digest);
    if (entry == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(entry.goodUntil())) {
      entries.remove(digest, entry);
      return Optional.empty();
    }
    return Optional.of(entry);
  }

  void put(String digest, JWSHeader header, JWTClaimsSet claims, Key key) {
    if (!enabled() || claims.getExpirationTime() == null) {
      return;
    }
    Instant now = clock.instant();
    Instant exp = claims.getExpirationTime().toInstant();
    Instant byAge = now.plusMillis(maxAgeMillis);
    Instant goodUntil = exp.isBefore(byAge) ? exp : byAge;
    if (!now.isBefore(goodUntil)) {
      return;
    }
    if (entries.size() >= maxEntries) {
      entries.values().removeIf(e -> !now.isBefore(e.goodUntil()));
      if (entries.size() >= maxEntries) {
        // still full of live tokens: start over rather than track recency on every hit
        entries.clear();
      }
    }
    entries.put(digest, new Entry(header, claims, key, goodUntil));
  }

  void remove(String digest) {
    entries.remove(digest);
  }

  int size() {
    return entries.size();
  }
}
