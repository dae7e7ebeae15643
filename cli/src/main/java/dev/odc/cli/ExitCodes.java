package dev.odc.cli;

/** The exit codes scripts may rely on; they never change meaning. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int ERROR = 1;
  public static final int USAGE = 2;
  public static final int AUTH_NEEDED = 3;
  public static final int NOT_FOUND = 4;

  private ExitCodes() {}
}
