package dev.odc.api.auth;

import dev.odc.core.Role;
import dev.odc.core.User;
import java.security.Principal;
import java.util.Objects;
import java.util.Set;

/**
 * The authenticated caller.
 *
 * @param method how the caller proved who they are: {@code oidc}, {@code api-key}
 * @param roles the roles of this request (from the token's groups claim, or the user row)
 * @param scopes the API key's scopes ({@link ApiScopes}); empty means unrestricted
 */
public record OdcPrincipal(User user, Set<Role> roles, String method, Set<String> scopes)
    implements Principal {
  public OdcPrincipal {
    Objects.requireNonNull(user, "user is null");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(method, "method is null");
    scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
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
