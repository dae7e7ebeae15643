package dev.odc.cli;

import dev.odc.core.Reservation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ssh-config",
    description = "Print an ssh_config Host block for a reservation (for VS Code, scp, rsync).",
    footer = {"", "Example:", "  gpu-dev ssh-config 1a2b3c4d >> ~/.ssh/config"})
final class SshConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(paramLabel = "ID", description = "Reservation id or its first 8 characters.")
  String id;

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    Reservation r = SshCommand.active(s, id);
    s.out().println("Host gpu-dev-" + r.name());
    s.out().println("  HostName " + r.sshHost());
    s.out().println("  Port " + r.sshPort());
    s.out().println("  User dev");
    s.out().println("  ServerAliveInterval 30");
    s.out().flush();
    return ExitCodes.OK;
  }
}
