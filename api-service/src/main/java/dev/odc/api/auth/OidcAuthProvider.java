package dev.odc.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.RemoteKeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.odc.api.ApiConfiguration.OidcConfig;
import dev.odc.core.Role;
import dev.odc.core.User;
import io.dropwizard.auth.AuthenticationException;
import java.io.IOException;
import java.net.URL;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWTs of the trusted OIDC issuer, verified by nimbus-jose-jwt's processor only: signature
 * by a key of the issuer's discovered JWKS (cached; re-fetched, rate-limited, when a token names an
 * unknown kid), asymmetric algorithms from the configured list only, header {@code typ} absent,
 * {@code JWT} or {@code at+jwt}, exact issuer, audience, a non-blank subject, exp/nbf with a small
 * clock skew, an {@code iat} that is not in the future and at most {@code maxTokenLifetime} before
 * {@code exp}, and none of the marks of an ID token ({@code at_hash}, {@code c_hash}, Keycloak's
 * {@code typ: ID}).
 *
 * <p>A token that verified is remembered by {@link VerifiedTokenCache} (keyed by its SHA-256) until
 * its exp; a remembered token is accepted again only while the JWKS still selects the key that
 * verified it, so a key removed from the JWKS stops working as soon as the JWKS is read again.
 */
public class OidcAuthProvider implements AuthProvider<String> {
  private static final Logger log = LoggerFactory.getLogger(OidcAuthProvider.class);

  /**
   * Claims that only ID tokens carry (OpenID Connect Core 3.1.3.6 and 3.3.2.11). Not {@code nonce}:
   * some providers (Dex) copy the login's nonce into access tokens too.
   */
  private static final List<String> ID_TOKEN_CLAIMS = List.of("at_hash", "c_hash");

  private final OidcConfig config;
  private final OidcDiscovery discovery;
  private final UserDirectory users;
  private final Set<JWSAlgorithm> algorithms;
  private final VerifiedTokenCache cache;
  private final Object lock = new Object();
  private volatile Verifiers verifiers;
  private long lastDiscoveryFailureNanos;
  private boolean discoveryFailed;

  public OidcAuthProvider(OidcConfig config, UserDirectory users) {
    this.config = config;
    this.users = users;
    this.discovery =
        new OidcDiscovery(config.issuer, Duration.ofMillis(config.httpTimeout.toMilliseconds()));
    this.algorithms = allowedAlgorithms(config.allowedAlgorithms);
    this.cache =
        new VerifiedTokenCache(
            config.verifiedTokenCacheSize,
            config.verifiedTokenCacheTtl.toMilliseconds(),
            Clock.systemUTC());
  }

  /** Which keys the selector offered for the token being verified; one per verification. */
  static final class KeyCapture implements SecurityContext {
    private List<? extends Key> selected = List.of();
  }

  /** nimbus's processor and its key selector, for the cache's second look at the JWKS. */
  record Verifiers(
      DefaultJWTProcessor<KeyCapture> processor,
      JWSVerificationKeySelector<KeyCapture> keySelector) {}

  /**
   * The configured algorithms minus every symmetric one and {@code none}: an HMAC key would be the
   * issuer's public key, which anyone has.
   */
  public static Set<JWSAlgorithm> allowedAlgorithms(List<String> names) {
    Set<JWSAlgorithm> result = new LinkedHashSet<>();
    for (String name : names) {
      JWSAlgorithm alg = JWSAlgorithm.parse(name);
      if (JWSAlgorithm.Family.RSA.contains(alg)
          || JWSAlgorithm.Family.EC.contains(alg)
          || JWSAlgorithm.Family.ED.contains(alg)) {
        result.add(alg);
      } else {
        log.warn("Ignoring JWS algorithm {}: only asymmetric algorithms are allowed", name);
      }
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(
          "oidc.allowedAlgorithms has no asymmetric algorithm: " + names);
    }
    return Set.copyOf(result);
  }

  public OidcDiscovery discovery() {
    return discovery;
  }

  @Override
  public String name() {
    return "oidc";
  }

  @Override
  public boolean handles(String credential) {
    // a JWS compact serialization: three dot-separated parts
    return !ApiKeys.looksLikeKey(credential)
        && credential.chars().filter(c -> c == '.').count() == 2;
  }

  @Override
  public Optional<OdcPrincipal> verify(String token) throws AuthenticationException {
    Optional<JWTClaimsSet> verified = verifiedClaims(token);
    if (verified.isEmpty()) {
      return Optional.empty();
    }
    JWTClaimsSet claims = verified.get();
    Optional<String> username = username(claims);
    if (username.isEmpty()) {
      log.debug("Refused a token with none of the username claims {}", config.usernameClaims);
      return Optional.empty();
    }
    Set<Role> roles = roles(claims);
    String email = stringClaim(claims, "email").orElse(null);
    User user = users.cachedLogin(config.issuer, claims.getSubject(), username.get(), email, roles);
    if (user.disabled()) {
      log.debug("Refused a token of disabled user {}", user.username());
      return Optional.empty();
    }
    return Optional.of(new OdcPrincipal(user, roles, name()));
  }

  /**
   * Checks the token's signature (cached JWKS), algorithm, type, issuer, audience, subject and
   * times, without the user lookup that {@link #verify} adds; bench/ measures this part on its own.
   *
   * @return the claims, or empty when the token is refused
   */
  public Optional<JWTClaimsSet> verifiedClaims(String token) throws AuthenticationException {
    Verifiers v = verifiers();
    String digest = cache.enabled() ? VerifiedTokenCache.digest(token) : null;
    try {
      if (digest != null) {
        Optional<VerifiedTokenCache.Entry> hit = cache.get(digest);
        if (hit.isPresent()) {
          if (stillSelected(v, hit.get())) {
            return Optional.of(hit.get().claims());
          }
          cache.remove(digest);
        }
      }
      SignedJWT jwt = SignedJWT.parse(token);
      KeyCapture capture = new KeyCapture();
      JWTClaimsSet claims = v.processor().process(jwt, capture);
      if (digest != null && capture.selected.size() == 1) {
        // with one candidate key the processor verified with that key; with several we cannot
        // tell which, and such tokens are simply not cached
        cache.put(digest, jwt.getHeader(), claims, capture.selected.get(0));
      }
      return Optional.of(claims);
    } catch (ParseException | BadJOSEException e) {
      log.debug("Refused a bearer token: {}", e.getMessage());
      return Optional.empty();
    } catch (RemoteKeySourceException e) {
      throw new AuthenticationException("the identity provider's keys cannot be fetched", e);
    } catch (JOSEException e) {
      log.debug("Refused a bearer token: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /** Whether the JWKS as cached now still offers the key that verified this token. */
  private static boolean stillSelected(Verifiers v, VerifiedTokenCache.Entry entry)
      throws JOSEException {
    byte[] encoded = entry.key().getEncoded();
    for (Key key : v.keySelector().selectJWSKeys(entry.header(), new KeyCapture())) {
      if (key.getAlgorithm().equals(entry.key().getAlgorithm())
          && Arrays.equals(key.getEncoded(), encoded)) {
        return true;
      }
    }
    return false;
  }

  /** How many verified tokens are remembered; for tests. */
  int cachedTokens() {
    return cache.size();
  }

  private Optional<String> username(JWTClaimsSet claims) {
    for (String claim : config.usernameClaims) {
      Optional<String> value = stringClaim(claims, claim);
      if (value.isPresent()) {
        return value;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> stringClaim(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    return value instanceof String s && !s.isBlank() ? Optional.of(s.trim()) : Optional.empty();
  }

  private Set<Role> roles(JWTClaimsSet claims) {
    Set<Role> roles = EnumSet.of(Role.USER);
    Object groups = claims.getClaim(config.groupsClaim);
    Collection<?> values =
        groups instanceof Collection<?> c ? c : groups instanceof String s ? List.of(s) : List.of();
    for (Object group : values) {
      if (group != null && config.adminGroups.contains(group.toString())) {
        roles.add(Role.ADMIN);
      }
    }
    return roles;
  }

  /** Built on first use, so the API starts even while the identity provider is down. */
  private Verifiers verifiers() throws AuthenticationException {
    Verifiers current = verifiers;
    if (current != null) {
      return current;
    }
    synchronized (lock) {
      if (verifiers != null) {
        return verifiers;
      }
      long minIntervalNanos = config.jwksRefreshMinInterval.toNanoseconds();
      if (discoveryFailed && System.nanoTime() - lastDiscoveryFailureNanos < minIntervalNanos) {
        throw new AuthenticationException("OIDC discovery failed recently; not retrying yet");
      }
      try {
        verifiers = build(discovery.fetchJwksUri().toURL());
        discoveryFailed = false;
        return verifiers;
      } catch (IOException | RuntimeException e) {
        discoveryFailed = true;
        lastDiscoveryFailureNanos = System.nanoTime();
        log.warn("OIDC discovery at {} failed: {}", discovery.discoveryUri(), e.toString());
        throw new AuthenticationException("OIDC discovery failed", e);
      }
    }
  }

  private Verifiers build(URL jwksUrl) {
    int timeoutMs = (int) config.httpTimeout.toMilliseconds();
    JWKSource<KeyCapture> keys =
        JWKSourceBuilder.<KeyCapture>create(
                jwksUrl, new DefaultResourceRetriever(timeoutMs, timeoutMs, 512 * 1024))
            .cache(config.jwksCacheTtl.toMilliseconds(), timeoutMs)
            .rateLimited(config.jwksRefreshMinInterval.toMilliseconds())
            .refreshAheadCache(false)
            .retrying(false)
            .build();
    JWSVerificationKeySelector<KeyCapture> keySelector =
        new JWSVerificationKeySelector<>(algorithms, keys);
    JWSKeySelector<KeyCapture> capturing =
        (header, context) -> {
          List<? extends Key> selected = keySelector.selectJWSKeys(header, context);
          if (context != null) {
            context.selected = List.copyOf(selected);
          }
          return selected;
        };
    DefaultJWTProcessor<KeyCapture> jwtProcessor = new DefaultJWTProcessor<>();
    jwtProcessor.setJWSKeySelector(capturing);
    jwtProcessor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    jwtProcessor.setJWTClaimsSetVerifier(new AccessTokenClaims());
    log.info("OIDC tokens of {} are verified against {}", config.issuer, jwksUrl);
    return new Verifiers(jwtProcessor, keySelector);
  }

  /** nimbus's checks of iss, aud, sub, exp, nbf, plus the rules of an ODC access token. */
  private final class AccessTokenClaims extends DefaultJWTClaimsVerifier<KeyCapture> {
    AccessTokenClaims() {
      super(
          Set.of(config.audience),
          new JWTClaimsSet.Builder().issuer(config.issuer).build(),
          Set.of("sub", "exp", "iat", "iss", "aud"),
          Set.of());
      setMaxClockSkew((int) config.clockSkew.toSeconds());
    }

    @Override
    public void verify(JWTClaimsSet claims, KeyCapture context) throws BadJWTException {
      super.verify(claims, context);
      String subject = claims.getSubject();
      if (subject == null || subject.isBlank()) {
        throw new BadJWTException("JWT sub claim is blank");
      }
      long skewMillis = config.clockSkew.toMilliseconds();
      Date issued = claims.getIssueTime();
      Date expires = claims.getExpirationTime();
      if (issued.getTime() > System.currentTimeMillis() + skewMillis) {
        throw new BadJWTException("JWT iat is in the future");
      }
      if (expires.getTime() - issued.getTime() > config.maxTokenLifetime.toMilliseconds()) {
        throw new BadJWTException(
            "JWT lives longer than oidc.maxTokenLifetime (" + config.maxTokenLifetime + ")");
      }
      for (String claim : ID_TOKEN_CLAIMS) {
        if (claims.getClaim(claim) != null) {
          throw new BadJWTException("an ID token (claim " + claim + ") is not an access token");
        }
      }
      if ("ID".equals(claims.getClaim("typ"))) {
        throw new BadJWTException("an ID token (typ ID) is not an access token");
      }
    }
  }

  /** For the health check: the configured issuer's discovery can be read now. */
  public void checkDiscovery() throws IOException {
    discovery.fetchJwksUri();
  }
}
