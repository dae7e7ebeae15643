package dev.odc.cli;

import dev.odc.core.GpuType;
import dev.odc.core.api.Availability;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "avail",
    description =
        "GPU availability per type: free, in use, queued, the most you can get now, and the wait.",
    footer = {"", "Examples:", "  gpu-dev avail", "  gpu-dev avail --watch"})
final class AvailCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--watch", description = "Refresh every --interval seconds until Ctrl-C.")
  boolean watch;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "Refresh interval for --watch (default ${DEFAULT-VALUE}).")
  double interval;

  @Option(names = "--times", paramLabel = "N", hidden = true, defaultValue = "0")
  int times;

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    Runnable render =
        () -> {
          Availability a = s.api().get("/v1/availability", Availability.class);
          if (common.json()) {
            s.printJson(a);
            return;
          }
          Table t =
              new Table(
                  "TYPE", "TOTAL", "FREE", "IN USE", "QUEUED", "MAX NOW", "GPUS/NODE", "WAIT");
          for (GpuType g : a.gpuTypes()) {
            t.row(
                g.name(),
                g.totalGpus(),
                g.freeGpus(),
                g.inUseGpus(),
                g.queued(),
                g.maxReservable(),
                g.gpusPerNode(),
                g.estimatedWaitSeconds() == 0 ? "now" : Fmt.duration(g.estimatedWaitSeconds()));
          }
          t.print(s.out());
          if (a.simulated()) {
            s.out().println("(simulated capacity)");
          }
        };
    if (watch) {
      Watch.repeat(s.out(), interval, times, !common.json(), render);
    } else {
      render.run();
    }
    return ExitCodes.OK;
  }
}
