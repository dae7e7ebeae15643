package dev.odc.cli;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "list",
    aliases = "ls",
    description = "List your reservations (live ones unless --status says otherwise).",
    footer = {
      "",
      "Examples:",
      "  gpu-dev list",
      "  gpu-dev list --status CANCELLED -o json",
      "  gpu-dev list --all --watch"
    })
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--all", description = "Everyone's reservations (admins).")
  boolean all;

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      description = "Only this status: ${COMPLETION-CANDIDATES}.")
  ReservationStatus status;

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
          Map<String, Object> q = new LinkedHashMap<>();
          q.put("all", all ? "true" : null);
          q.put("status", status);
          String path = "/v1/reservations" + ApiClient.query(q);
          if (common.json()) {
            // The API's JSON as it came: binding it to records only to write it back costs more
            // than the rest of the command.
            s.api().writeAllItems(path, s.out());
          } else {
            Reservations.table(s.out(), s.api().listAll(path, Reservation.class, 0), all);
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
