package dev.odc.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.RemoteKeySourceException;
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
import dev.odc.core.Role;
import dev.odc.core.User;
import io.dropwizard.auth.AuthenticationException;
import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWTs of the trusted OIDC issuer, verified with nimbus-jose-jwt: signature by a key of the
 * issuer's discovered JWKS (cached; re-fetched, rate-limited, when a token names an unknown kid),
 * asymmetric algorithms from the configured list only, exact issuer, audience, and exp/nbf with a
 * small clock skew.
 */
public class OidcAuthProvider implements AuthProvider<String> {
  private static final Logger log = LoggerFactory.getLogger(OidcAuthProvider.class);

  private final OidcConfig config;
  private final OidcDiscovery discovery;
  private final UserDirectory users;
  private final Set<JWSAlgorithm> algorithms;
  private final Object lock = new Object();
  private volatile Verifiers verifiers;
  private final RsaFastPath fastPath;
  private long lastDiscoveryFailureNanos;
  private boolean discoveryFailed;

  public OidcAuthProvider(OidcConfig config, UserDirectory users) {
    this.config = config;
    this.users = users;
    this.discovery =
        new OidcDiscovery(config.issuer, Duration.ofMillis(config.httpTimeout.toMilliseconds()));
    this.algorithms = allowedAlgorithms(config.allowedAlgorithms);
    this.fastPath = new RsaFastPath(algorithms);
  }

  /**
   * What verifies tokens: nimbus's processor (every algorithm, every header form), and its key
   * selector and claims verifier, which the RSA fast path shares so both check the same things.
   */
  record Verifiers(
      DefaultJWTProcessor<SecurityContext> processor,
      JWSVerificationKeySelector<SecurityContext> keySelector,
      DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier) {}

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
   * Checks the token's signature (cached JWKS), algorithm, issuer, audience and times, without the
   * user lookup that {@link #verify} adds; bench/ measures this part on its own.
   *
   * @return the claims, or empty when the token is refused
   */
  public Optional<JWTClaimsSet> verifiedClaims(String token) throws AuthenticationException {
    Verifiers v = verifiers();
    try {
      RsaFastPath.Result fast = fastPath.verify(token, v.keySelector(), v.claimsVerifier());
      if (fast.handled()) {
        return Optional.ofNullable(fast.claims());
      }
      return Optional.of(v.processor().process(token, null));
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

  private Verifiers build(java.net.URL jwksUrl) {
    int timeoutMs = (int) config.httpTimeout.toMilliseconds();
    JWKSource<SecurityContext> keys =
        JWKSourceBuilder.<SecurityContext>create(
                jwksUrl, new DefaultResourceRetriever(timeoutMs, timeoutMs, 512 * 1024))
            .cache(config.jwksCacheTtl.toMilliseconds(), timeoutMs)
            .rateLimited(config.jwksRefreshMinInterval.toMilliseconds())
            .refreshAheadCache(false)
            .retrying(false)
            .build();
    DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
    JWSVerificationKeySelector<SecurityContext> keySelector =
        new JWSVerificationKeySelector<>(algorithms, keys);
    jwtProcessor.setJWSKeySelector(keySelector);
    DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier =
        new DefaultJWTClaimsVerifier<>(
            Set.of(config.audience),
            new JWTClaimsSet.Builder().issuer(config.issuer).build(),
            Set.of("sub", "exp", "iss", "aud"),
            null);
    claimsVerifier.setMaxClockSkew((int) config.clockSkew.toSeconds());
    jwtProcessor.setJWTClaimsSetVerifier(claimsVerifier);
    log.info("OIDC tokens of {} are verified against {}", config.issuer, jwksUrl);
    return new Verifiers(jwtProcessor, keySelector, claimsVerifier);
  }

  /** For the health check: the configured issuer's discovery can be read now. */
  public void checkDiscovery() throws IOException {
    discovery.fetchJwksUri();
  }
}
