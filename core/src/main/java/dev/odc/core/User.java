package dev.odc.core;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A person or robot known to ODC, identified by the OIDC issuer and subject (or an AWS ARN).
 *
 * @param email may be null
 */
public record User(
    UUID id,
    String issuer,
    String subject,
    String username,
    String email,
    Set<Role> roles,
    boolean disabled,
    Instant createdAt) {
  public User {
    Checks.notNull(id, "id");
    Checks.notBlank(issuer, "issuer");
    Checks.notBlank(subject, "subject");
    Checks.notBlank(username, "username");
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    Checks.notNull(createdAt, "createdAt");
  }

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }
}
