package dev.odc.cli;

import dev.odc.core.Reservation;
import dev.odc.core.api.ExtendReservationRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "extend",
    description = "Add hours to a reservation, within your quota.",
    footer = {"", "Example:", "  gpu-dev extend 1a2b3c4d -H 2"})
final class ExtendCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "ID", description = "Reservation id or its first 8 characters.")
  String id;

  @Option(
      names = {"-H", "--hours"},
      required = true,
      paramLabel = "HOURS",
      description = "Hours to add.")
  double hours;

  @Override
  public Integer call() {
    if (!(hours > 0)) {
      throw CliException.usage("--hours must be positive, was " + hours);
    }
    Session s = Session.of(spec, common);
    Reservation r =
        s.api()
            .post(
                Reservations.path(id) + "/extend",
                new ExtendReservationRequest(hours),
                Reservation.class);
    if (common.json()) {
      s.printJson(r);
    } else {
      s.out()
          .println(
              "Extended "
                  + r.shortId()
                  + " to "
                  + Fmt.hours(r.hours())
                  + " h; expires "
                  + Fmt.time(r.expiresAt()));
      s.out().flush();
    }
    return ExitCodes.OK;
  }
}
