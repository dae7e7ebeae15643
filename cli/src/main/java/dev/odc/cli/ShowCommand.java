package dev.odc.cli;

import dev.odc.core.Reservation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "show",
    description = "Show one reservation with its status history.",
    footer = {"", "Example:", "  gpu-dev show 1a2b3c4d"})
final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "ID", description = "Reservation id or its first 8 characters.")
  String id;

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    String path = Reservations.path(id);
    if (common.json()) {
      s.printJson(s.api().getTree(path));
    } else {
      Reservations.details(s.out(), s.api().get(path, Reservation.class));
    }
    return ExitCodes.OK;
  }
}
