package dev.odc.api.auth;

import io.dropwizard.auth.AuthenticationException;
import java.util.Optional;

/**
 * An identity provider: turns a credential into the caller it proves. Implementations: {@link
 * OidcAuthProvider} (bearer JWTs of the trusted issuer), {@link ApiKeyAuthProvider} (ODC API keys),
 * {@link AwsIamAuthProvider} (presigned STS GetCallerIdentity requests, exchanged for an API key
 * through {@link ApiKeyIssuer}).
 *
 * @param <C> the credential type
 */
public interface AuthProvider<C> {
  /** A short name for logs and audit details, e.g. {@code oidc}. */
  String name();

  /**
   * Whether this provider is the one to ask about {@code credential}, judged by its form only (e.g.
   * the {@code odc_} prefix of API keys). Cheap; never contacts anything.
   */
  boolean handles(C credential);

  /**
   * Verifies a credential.
   *
   * @return the caller, or empty when the credential is invalid, expired, revoked or not trusted;
   *     the reason is logged at debug level, never the credential itself
   * @throws AuthenticationException only when the verification machinery itself fails (e.g. the
   *     identity provider cannot be reached), so the caller can answer 503 instead of 401
   */
  Optional<OdcPrincipal> verify(C credential) throws AuthenticationException;
}
