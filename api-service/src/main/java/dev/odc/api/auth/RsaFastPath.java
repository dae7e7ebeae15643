package dev.odc.api.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The common case of {@link OidcAuthProvider} without nimbus's per-token overhead: RS256/384/512
 * tokens whose header has no {@code crit}. The token's parts are decoded once, the header read with
 * a streaming parser, and the verification keys come from a small cache per ({@code alg}, {@code
 * kid}) holding what nimbus's own {@link JWSVerificationKeySelector} selected from the cached JWKS
 * (so an unknown kid still goes through the selector, whose JWK source re-fetches the JWKS,
 * rate-limited). Entries live {@link #KEY_TTL_SECONDS} seconds, so a key removed from the JWKS is
 * dropped once the JWK source's own cache has dropped it. The claims are checked by the same {@link
 * JWTClaimsSetVerifier} nimbus's processor uses. Any other token (another algorithm, a {@code crit}
 * header) is left to nimbus ({@link Result#handled()} false).
 */
final class RsaFastPath {
  static final long KEY_TTL_SECONDS = 60;
  private static final int MAX_CACHED = 64;
  private static final List<JWSAlgorithm> RSA_PKCS1 =
      List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512);
  private static final String[] JCA = {"SHA256withRSA", "SHA384withRSA", "SHA512withRSA"};

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectReader CLAIMS =
      new ObjectMapper(JSON).readerFor(new TypeReference<Map<String, Object>>() {});

  private final boolean[] allowed = new boolean[RSA_PKCS1.size()];
  private final Map<String, CachedKeys> keys = new ConcurrentHashMap<>();
  private final ThreadLocal<Signature[]> signatures =
      ThreadLocal.withInitial(() -> new Signature[RSA_PKCS1.size()]);

  private record CachedKeys(List<RSAPublicKey> keys, long expiresNanos) {}

  /** What the fast path decided: handled (valid, with the claims), or left to nimbus. */
  record Result(boolean handled, JWTClaimsSet claims) {
    static final Result NOT_HANDLED = new Result(false, null);
  }

  RsaFastPath(Set<JWSAlgorithm> algorithms) {
    for (int i = 0; i < RSA_PKCS1.size(); i++) {
      allowed[i] = algorithms.contains(RSA_PKCS1.get(i));
    }
  }

  Result verify(
      String token,
      JWSVerificationKeySelector<SecurityContext> selector,
      JWTClaimsSetVerifier<SecurityContext> claimsVerifier)
      throws BadJOSEException, JOSEException, ParseException {
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
      return Result.NOT_HANDLED;
    }
    Base64.Decoder b64 = Base64.getUrlDecoder();
    String headerPart = token.substring(0, dot1);
    byte[] headerJson;
    byte[] payloadJson;
    byte[] signature;
    try {
      headerJson = b64.decode(headerPart);
      payloadJson = b64.decode(token.substring(dot1 + 1, dot2));
      signature = b64.decode(token.substring(dot2 + 1));
    } catch (IllegalArgumentException e) {
      return Result.NOT_HANDLED;
    }
    Header header = Header.read(headerJson);
    if (header == null || header.special() || header.alg() == null) {
      return Result.NOT_HANDLED;
    }
    int algIndex = algIndex(header.alg());
    if (algIndex < 0 || !allowed[algIndex]) {
      return Result.NOT_HANDLED;
    }
    if (header.typ() != null && !"JWT".equalsIgnoreCase(header.typ())) {
      return Result.NOT_HANDLED;
    }
    List<RSAPublicKey> candidates = keys(header, headerPart, selector);
    if (candidates.isEmpty()) {
      // no key of the JWKS (re-fetched by the selector's source, rate-limited) matches: refused,
      // as nimbus's processor would, without asking the source a second time
      throw new BadJOSEException(
          "Signed JWT rejected: Another algorithm expected, or no matching key(s) found");
    }
    Signature verifier = signature(algIndex);
    byte[] signingInput = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
    boolean valid = false;
    for (RSAPublicKey key : candidates) {
      try {
        verifier.initVerify(key);
        verifier.update(signingInput);
        if (verifier.verify(signature)) {
          valid = true;
          break;
        }
      } catch (GeneralSecurityException e) {
        // a malformed signature: try the next key, refuse below when none verifies
      }
    }
    if (!valid) {
      throw new BadJWSException("Signed JWT rejected: Invalid signature");
    }
    JWTClaimsSet claims;
    try {
      claims = JWTClaimsSet.parse(CLAIMS.<Map<String, Object>>readValue(payloadJson));
    } catch (IOException e) {
      throw new ParseException("Payload of JWS object is not a valid JSON object", 0);
    }
    claimsVerifier.verify(claims, null);
    return new Result(true, claims);
  }

  private static int algIndex(String alg) {
    for (int i = 0; i < RSA_PKCS1.size(); i++) {
      if (RSA_PKCS1.get(i).getName().equals(alg)) {
        return i;
      }
    }
    return -1;
  }

  private Signature signature(int algIndex) throws JOSEException {
    Signature[] mine = signatures.get();
    if (mine[algIndex] == null) {
      try {
        mine[algIndex] = Signature.getInstance(JCA[algIndex]);
      } catch (NoSuchAlgorithmException e) {
        throw new JOSEException(JCA[algIndex] + " is missing from this JVM", e);
      }
    }
    return mine[algIndex];
  }

  /** The RSA keys nimbus's selector picks for this header, cached for a minute. */
  private List<RSAPublicKey> keys(
      Header header, String headerPart, JWSVerificationKeySelector<SecurityContext> selector)
      throws JOSEException, ParseException {
    String cacheKey = header.alg() + ' ' + (header.kid() == null ? "" : header.kid());
    long now = System.nanoTime();
    CachedKeys cached = keys.get(cacheKey);
    if (cached != null && now - cached.expiresNanos() < 0) {
      return cached.keys();
    }
    List<Key> selected = selector.selectJWSKeys(JWSHeader.parse(new Base64URL(headerPart)), null);
    List<RSAPublicKey> rsa =
        selected.stream()
            .filter(RSAPublicKey.class::isInstance)
            .map(RSAPublicKey.class::cast)
            .toList();
    if (rsa.isEmpty()) {
      // unknown kid: nothing is cached, so forged kids cannot fill the map
      keys.remove(cacheKey);
      return rsa;
    }
    if (keys.size() >= MAX_CACHED) {
      keys.clear();
    }
    keys.put(cacheKey, new CachedKeys(rsa, now + TimeUnit.SECONDS.toNanos(KEY_TTL_SECONDS)));
    return rsa;
  }

  /** How many (alg, kid) entries are cached; for tests. */
  int cachedKeyEntries() {
    return keys.size();
  }

  /** The header parameters the fast path looks at. */
  private record Header(String alg, String kid, String typ, boolean special) {
    /**
     * @return null when the header is not a JSON object with string values where expected
     */
    static Header read(byte[] json) {
      String alg = null;
      String kid = null;
      String typ = null;
      boolean special = false;
      try (JsonParser p = JSON.createParser(json)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          switch (field) {
            case "alg" -> {
              if (value != JsonToken.VALUE_STRING) {
                return null;
              }
              alg = p.getText();
            }
            case "kid" -> {
              if (value != JsonToken.VALUE_STRING) {
                return null;
              }
              kid = p.getText();
            }
            case "typ" -> {
              if (value != JsonToken.VALUE_STRING) {
                return null;
              }
              typ = p.getText();
            }
            case "crit", "b64", "enc", "zip" -> special = true;
            default -> p.skipChildren();
          }
          if (special) {
            p.skipChildren();
          }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
          return null;
        }
      } catch (IOException e) {
        return null;
      }
      return new Header(alg, kid, typ, special);
    }
  }
}
