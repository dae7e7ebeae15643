package dev.odc.testing.sim;

/** A failure the simulated kubelet plays instead of starting a pod. */
public enum PodFailure {
  /**
   * The image cannot be pulled: the pod stays Pending, its containers wait with reason {@code
   * ErrImagePull}, then {@code ImagePullBackOff}.
   */
  IMAGE_PULL,
  /**
   * The container starts and exits again: phase Running, not Ready, containers wait with reason
   * {@code CrashLoopBackOff} and a growing restart count.
   */
  CRASH_LOOP
}
