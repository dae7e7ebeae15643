package dev.odc.processor;

import dev.odc.core.Reservation;

/**
 * Called before each {@link Step}; crash tests throw here to play a processor dying between steps.
 * Production passes {@link #NONE}.
 */
@FunctionalInterface
public interface StepHook {
  StepHook NONE = (step, reservation) -> {};

  void before(Step step, Reservation reservation);
}
