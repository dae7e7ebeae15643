package dev.odc.cli;

import java.lang.reflect.Method;

/** What the CLI needs to know about its terminal. */
final class Terminal {
  private Terminal() {}

  /** True when stdout is an interactive terminal. */
  static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // JDK 22+ returns a console even when redirected; isTerminal() then tells the truth.
      Method m = java.io.Console.class.getMethod("isTerminal");
      return (Boolean) m.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /**
   * Runs {@code action} on Ctrl-C instead of exiting, until the returned restorer is run. Falls
   * back to the default behaviour where the JVM does not allow signal handlers.
   */
  @SuppressWarnings("removal")
  static Runnable onInterrupt(Runnable action) {
    try {
      sun.misc.Signal sigint = new sun.misc.Signal("INT");
      sun.misc.SignalHandler previous = sun.misc.Signal.handle(sigint, sig -> action.run());
      return () -> sun.misc.Signal.handle(sigint, previous);
    } catch (IllegalArgumentException e) {
      return () -> {};
    }
  }
}
