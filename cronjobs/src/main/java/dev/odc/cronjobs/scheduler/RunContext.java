package dev.odc.cronjobs.scheduler;

import dev.odc.core.Checks;
import java.time.Instant;

/**
 * One firing of a job.
 *
 * @param scheduledFireTime when the trigger was due; the same on every instance for one firing
 * @param firedAt when this instance started the run
 * @param instanceId the Quartz instance id of the scheduler that runs it
 */
public record RunContext(Instant scheduledFireTime, Instant firedAt, String instanceId) {
  public RunContext {
    Checks.notNull(scheduledFireTime, "scheduledFireTime");
    Checks.notNull(firedAt, "firedAt");
    Checks.notBlank(instanceId, "instanceId");
  }
}
