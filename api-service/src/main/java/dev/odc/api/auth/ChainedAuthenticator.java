package dev.odc.api.auth;

import dev.odc.api.errors.ApiException;
import dev.odc.core.ErrorCode;
import io.dropwizard.auth.AuthenticationException;
import io.dropwizard.auth.Authenticator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks the first provider that handles the bearer credential's form (dual auth). */
public class ChainedAuthenticator implements Authenticator<String, OdcPrincipal> {
  private static final Logger log = LoggerFactory.getLogger(ChainedAuthenticator.class);
  private final List<AuthProvider<String>> providers;

  public ChainedAuthenticator(List<AuthProvider<String>> providers) {
    this.providers = List.copyOf(providers);
  }

  @Override
  public Optional<OdcPrincipal> authenticate(String credential) {
    if (credential == null || credential.isBlank() || credential.length() > 16_384) {
      return Optional.empty();
    }
    for (AuthProvider<String> provider : providers) {
      if (provider.handles(credential)) {
        try {
          return provider.verify(credential);
        } catch (AuthenticationException e) {
          // the verification machinery failed, not the credential: let the client retry
          log.warn("{} verification unavailable: {}", provider.name(), e.getMessage());
          throw new ApiException(
              ErrorCode.UNAVAILABLE, "the identity provider cannot be reached; retry later");
        }
      }
    }
    return Optional.empty();
  }
}
