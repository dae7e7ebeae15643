package dev.odc.cli;

import dev.odc.core.Reservation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ssh",
    description = "Open a shell on an active reservation (runs your ssh).",
    footer = {"", "Examples:", "  gpu-dev ssh 1a2b3c4d", "  gpu-dev ssh 1a2b3c4d -- nvidia-smi"})
final class SshCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(
      index = "0",
      paramLabel = "ID",
      description = "Reservation id or its first 8 characters.")
  String id;

  @Parameters(
      index = "1..*",
      paramLabel = "COMMAND",
      description = "A command to run instead of a shell.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    Reservation r = active(s, id);
    List<String> argv =
        new ArrayList<>(
            List.of(
                s.root().env().getOrDefault("GPU_DEV_SSH", "ssh"),
                "-p",
                String.valueOf(r.sshPort()),
                "dev@" + r.sshHost()));
    argv.addAll(command);
    try {
      return new ProcessBuilder(argv).inheritIO().start().waitFor();
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot run ssh: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.ERROR;
    }
  }

  static Reservation active(Session s, String id) {
    Reservation r = s.api().get(Reservations.path(id), Reservation.class);
    if (r.sshCommand() == null) {
      throw new CliException(
          ExitCodes.ERROR,
          "reservation " + r.shortId() + " is " + r.status() + "; ssh works once it is ACTIVE");
    }
    return r;
  }
}
