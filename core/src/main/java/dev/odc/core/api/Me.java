package dev.odc.core.api;

import dev.odc.core.Role;
import java.util.Set;
import java.util.UUID;

/** {@code GET /v1/me}: who the caller is, and how much of their quota is in use. */
public record Me(
    UUID id, String username, String email, Set<Role> roles, Quota quota, Usage usage) {
  public Me {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
  }

  /** Per-user limits from the platform's configuration. */
  public record Quota(
      int maxConcurrentGpus, double maxHoursPerReservation, double maxTotalHours, int maxDisks) {}

  /** What the caller holds now. */
  public record Usage(int gpusInUse, int liveReservations, int disks) {}
}
