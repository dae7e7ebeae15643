package dev.odc.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "logout", description = "Forget the cached login tokens.")
final class LogoutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    boolean deleted = s.config().deleteTokens();
    s.out().println(deleted ? "Logged out." : "Not logged in.");
    s.out().flush();
    return ExitCodes.OK;
  }
}
