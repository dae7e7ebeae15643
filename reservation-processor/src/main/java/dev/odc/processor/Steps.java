package dev.odc.processor;

import dev.odc.core.Reservation;
import dev.odc.processor.leases.Leases;
import java.util.Objects;

/** What runs before each step of provisioning and teardown: the step hook, then the lease check. */
public final class Steps {
  private final StepHook hook;
  private final Leases leases;

  public Steps(StepHook hook, Leases leases) {
    this.hook = Objects.requireNonNull(hook, "hook is null");
    this.leases = Objects.requireNonNull(leases, "leases is null");
  }

  /**
   * @throws dev.odc.processor.leases.LeaseHeldException when another processor took the lease over
   */
  public void before(Step step, Reservation r) {
    hook.before(step, r);
    leases.ensureHeld(r.id());
  }
}
