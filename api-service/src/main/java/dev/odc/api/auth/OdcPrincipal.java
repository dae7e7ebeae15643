package dev.odc.api.auth;

import dev.odc.core.ApiKey;
import dev.odc.core.Role;
import dev.odc.core.User;
import java.security.Principal;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The authenticated caller.
 *
 * @param method how the caller proved who they are: {@code oidc}, {@code api-key}
 * @param roles the roles of this request (from the token's groups claim, or the user row)
 * @param scopes the API key's scopes ({@link ApiScopes}); empty means unrestricted
 * @param apiKey the API key the caller authenticated with, or null for other methods
 */
public record OdcPrincipal(
    User user, Set<Role> roles, String method, Set<String> scopes, ApiKey apiKey)
    implements Principal {
  public OdcPrincipal {
    Objects.requireNonNull(user, "user is null");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(method, "method is null");
    scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
  }

  /** A caller that did not use an API key. */
  public OdcPrincipal(User user, Set<Role> roles, String method, Set<String> scopes) {
    this(user, roles, method, scopes, null);
  }

  /** The API key of this request, when the caller used one. */
  public Optional<ApiKey> key() {
    return Optional.ofNullable(apiKey);
  }

  /** An unrestricted caller (OIDC token, key without scopes). */
  public OdcPrincipal(User user, Set<Role> roles, String method) {
    this(user, roles, method, Set.of());
  }

  @Override
  public String getName() {
    return user.username();
  }

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }
}
