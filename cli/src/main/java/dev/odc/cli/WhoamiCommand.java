package dev.odc.cli;

import dev.odc.core.api.Me;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "whoami",
    description = "Show who you are logged in as, your roles, quota and usage.")
final class WhoamiCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    Me me = s.api().get("/v1/me", Me.class);
    if (common.json()) {
      s.printJson(me);
      return ExitCodes.OK;
    }
    s.out()
        .println("user:   " + me.username() + (me.email() == null ? "" : " <" + me.email() + ">"));
    s.out().println("roles:  " + me.roles());
    if (me.quota() != null && me.usage() != null) {
      s.out()
          .printf(
              "gpus:   %d in use of %d%n", me.usage().gpusInUse(), me.quota().maxConcurrentGpus());
      s.out().printf("live:   %d reservation(s)%n", me.usage().liveReservations());
      s.out().printf("disks:  %d of %d%n", me.usage().disks(), me.quota().maxDisks());
      s.out()
          .printf(
              "hours:  at most %s per reservation, %s with extensions%n",
              Fmt.hours(me.quota().maxHoursPerReservation()),
              Fmt.hours(me.quota().maxTotalHours()));
    }
    s.out().println("api:    " + s.apiUrl());
    s.out().flush();
    return ExitCodes.OK;
  }
}
