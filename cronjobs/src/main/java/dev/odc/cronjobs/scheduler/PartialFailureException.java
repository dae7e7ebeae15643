package dev.odc.cronjobs.scheduler;

/** A run that finished but failed on some items; what succeeded is committed. */
public final class PartialFailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient JobReport report;

  public PartialFailureException(JobReport report) {
    super("finished with " + report.count("errors") + " error(s): " + report.summary());
    this.report = report;
  }

  public JobReport report() {
    return report;
  }
}
