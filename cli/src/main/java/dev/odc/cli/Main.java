package dev.odc.cli;

/**
 * The jar's entry point. {@code --version} is answered here, before picocli, Jackson or even the
 * command classes are loaded (the version is a compile-time constant); everything else goes to
 * {@link GpuDev#main}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      System.out.println(GpuDev.VERSION);
      return;
    }
    GpuDev.main(args);
  }
}
