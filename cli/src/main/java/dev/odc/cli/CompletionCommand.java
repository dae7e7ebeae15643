package dev.odc.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    description = "Print a bash/zsh completion script.",
    footer = {"", "Example:", "  source <(gpu-dev completion)"})
final class CompletionCommand implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getOut()
        .print(
            AutoComplete.bash(
                "gpu-dev",
                GpuDev.commandLine(
                    (GpuDev) spec.root().userObject(),
                    spec.commandLine().getOut(),
                    spec.commandLine().getErr())));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
