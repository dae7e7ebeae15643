package dev.odc.processor;

import java.util.UUID;

/**
 * Deterministic Kubernetes names derived from ids, so a redelivered message or a second processor
 * finds what the first created instead of creating it again.
 */
public final class Names {

  private Names() {}

  /** The ConfigMap every other object of the reservation is owned by. */
  public static String owner(UUID reservationId) {
    return "odc-" + reservationId;
  }

  public static String pod(UUID reservationId, int nodeIndex) {
    return "odc-" + reservationId + "-" + nodeIndex;
  }

  public static String sshService(UUID reservationId) {
    return "odc-" + reservationId + "-ssh";
  }

  /**
   * The headless Service of a multi-node reservation: pods find each other as {@code <pod>.<this>}.
   */
  public static String headlessService(UUID reservationId) {
    return "odc-" + reservationId + "-nodes";
  }

  /** The home disk's claim in its first zone. */
  public static String claim(UUID diskId) {
    return "disk-" + diskId;
  }

  /** The home disk's claim restored for one reservation, in another zone. */
  public static String restoredClaim(UUID diskId, UUID reservationId) {
    return "disk-" + diskId + "-" + reservationId.toString().substring(0, 8);
  }

  /** The snapshot taken when a reservation ends. */
  public static String snapshot(UUID diskId, UUID reservationId) {
    return "disk-" + diskId + "-end-" + reservationId.toString().substring(0, 8);
  }

  public static String sharedClaim(String username) {
    return "shared-" + username.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
  }
}
