package dev.odc.providers;

/** A PersistentVolumeClaim's phase, as Kubernetes reports it. */
public enum ClaimPhase {
  /** Not bound yet: provisioning, or waiting for the first consumer (WaitForFirstConsumer). */
  PENDING,
  BOUND,
  /** The bound volume disappeared. */
  LOST;

  /** Maps {@code status.phase}; a missing phase is {@link #PENDING}. */
  public static ClaimPhase fromKubernetes(String phase) {
    if (phase == null) {
      return PENDING;
    }
    return switch (phase) {
      case "Bound" -> BOUND;
      case "Lost" -> LOST;
      default -> PENDING;
    };
  }
}
