package dev.odc.processor;

/** The steps of provisioning and teardown, in order; a {@link StepHook} sees each. */
public enum Step {
  CAPACITY,
  DISK_LOCK,
  CLAIM,
  OWNER,
  SERVICES,
  PODS,
  TEARDOWN_PODS,
  SNAPSHOT,
  RELEASE_DISK
}
