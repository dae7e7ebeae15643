package dev.odc.cli;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "cancel",
    description = "Cancel a reservation (its disk is snapshotted and kept), or all of yours.",
    footer = {"", "Examples:", "  gpu-dev cancel 1a2b3c4d", "  gpu-dev cancel --all"})
final class CancelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @ArgGroup(multiplicity = "1")
  Target target;

  static final class Target {
    @Parameters(paramLabel = "ID", description = "Reservation id or its first 8 characters.")
    String id;

    @Option(names = "--all", required = true, description = "Cancel all your live reservations.")
    boolean all;
  }

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    List<Reservation> cancelled = new ArrayList<>();
    if (target.all) {
      for (Reservation r : s.api().listAll("/v1/reservations", Reservation.class, 0)) {
        if (ReservationStatus.live().contains(r.status())) {
          cancelled.add(
              s.api()
                  .post(Reservations.path(r.id().toString()) + "/cancel", null, Reservation.class));
        }
      }
    } else {
      cancelled.add(
          s.api().post(Reservations.path(target.id) + "/cancel", null, Reservation.class));
    }
    if (common.json()) {
      s.printJson(target.all ? cancelled : cancelled.get(0));
    } else if (cancelled.isEmpty()) {
      s.out().println("Nothing to cancel.");
    } else {
      for (Reservation r : cancelled) {
        s.out()
            .println(
                "Cancelled "
                    + r.shortId()
                    + (r.name() == null ? "" : " (" + r.name() + ")")
                    + ": "
                    + r.status());
      }
    }
    s.out().flush();
    return ExitCodes.OK;
  }
}
