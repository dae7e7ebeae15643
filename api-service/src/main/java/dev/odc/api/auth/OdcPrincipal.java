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
 */
public record OdcPrincipal(User user, Set<Role> roles, String method) implements Principal {
  public OdcPrincipal {
    Objects.requireNonNull(user, "user is null");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(method, "method is null");
  }

  @Override
  public String getName() {
    return user.username();
  }

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }
}
