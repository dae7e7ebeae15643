package dev.odc.cronjobs.scheduler;

/**
 * One periodic piece of work. The scheduler runs each task at most once at a time across the whole
 * cluster; a task must still be idempotent, because a run that dies halfway is repeated by the next
 * firing (or by Quartz's recovery on another instance).
 */
public interface CronTask {

  /**
   * The job's stable name: the Quartz job key, the metric prefix and the audit actor suffix ({@code
   * system:cronjobs:<name>}).
   */
  String name();

  /**
   * Does one run.
   *
   * @param context when and where this firing happens
   * @return what the run did, counted by kind; never null
   * @throws Exception when the run could not finish; the failure is recorded and the next firing
   *     tries again
   */
  JobReport run(RunContext context) throws Exception;
}
