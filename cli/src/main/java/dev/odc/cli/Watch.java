package dev.odc.cli;

import java.io.PrintWriter;

/** Repeats a rendering every few seconds until Ctrl-C (or {@code times} rounds, when positive). */
final class Watch {
  private Watch() {}

  static void repeat(
      PrintWriter out, double intervalSeconds, int times, boolean clear, Runnable render) {
    for (int round = 1; times <= 0 || round <= times; round++) {
      if (clear && Terminal.isTerminal()) {
        out.print("\033[H\033[2J");
      }
      render.run();
      out.flush();
      if (times > 0 && round == times) {
        return;
      }
      try {
        // The watch loop's whole point is to wait between refreshes.
        Thread.sleep((long) (intervalSeconds * 1000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
