package dev.odc.processor;

import com.codahale.metrics.health.HealthCheck;

/** Healthy while the processor's consumer and informers run. */
public final class ProcessorHealthCheck extends HealthCheck {
  private final Processor processor;

  public ProcessorHealthCheck(Processor processor) {
    this.processor = processor;
  }

  @Override
  protected Result check() {
    return processor.isRunning()
        ? Result.healthy("worker %s", processor.settings().workerId())
        : Result.unhealthy("processor is not running");
  }
}
