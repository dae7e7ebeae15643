package dev.odc.cli;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ssh",
    description = {
      "Open a shell on an active reservation: runs your ssh through the ODC API's tunnel",
      "(ProxyCommand `gpu-dev tunnel ID`), so no port of the cluster needs to be reachable."
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev ssh 1a2b3c4d",
      "  gpu-dev ssh 1a2b3c4d -- nvidia-smi",
      "  gpu-dev ssh 1a2b3c4d --node 1 -i ~/.ssh/work"
    })
final class SshCommand implements Callable<Integer> {
  /** The account in ODC's dev images. */
  static final String DEFAULT_USER = "dev";

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Mixin ServerTarget target;

  @Parameters(
      index = "1..*",
      paramLabel = "COMMAND",
      description = "A command to run instead of a shell (put it after --).")
  List<String> command = new ArrayList<>();

  @Option(
      names = {"-l", "--user"},
      paramLabel = "USER",
      description =
          "Account on the server (default: `config set ssh.user`, else " + DEFAULT_USER + ").")
  String user;

  @Option(
      names = {"-i", "--identity"},
      paramLabel = "FILE",
      description = "Private key file for ssh (default: ssh's own choice).")
  String identity;

  @Option(
      names = "--ssh-option",
      paramLabel = "OPTION",
      description = "An ssh -o option, e.g. StrictHostKeyChecking=accept-new; repeat for more.")
  List<String> sshOptions = new ArrayList<>();

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    Reservation r = active(s, target.id);
    List<String> argv = new ArrayList<>();
    argv.add(s.root().env().getOrDefault("GPU_DEV_SSH", "ssh"));
    argv.add("-o");
    argv.add("ProxyCommand=" + proxyCommand(s, r, target.node));
    argv.add("-o");
    argv.add("HostKeyAlias=" + hostAlias(r, target.node));
    argv.add("-o");
    argv.add("ServerAliveInterval=30");
    if (identity != null) {
      argv.add("-i");
      argv.add(identity);
    }
    for (String option : sshOptions) {
      argv.add("-o");
      argv.add(option);
    }
    argv.add(user(s, user) + "@" + hostAlias(r, target.node));
    argv.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
    // the tunnel the ssh starts reads the same settings and login as this command
    pb.environment().putAll(s.root().env());
    try {
      return pb.start().waitFor();
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot run ssh: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.ERROR;
    }
  }

  /** The account: the flag, else {@code config set ssh.user}, else {@value #DEFAULT_USER}. */
  static String user(Session s, String flag) {
    return flag != null ? flag : s.config().setting("ssh.user").orElse(DEFAULT_USER);
  }

  /** The ProxyCommand that carries ssh's connection to node {@code node} of {@code r}. */
  static String proxyCommand(Session s, Reservation r, int node) {
    List<String> words = new ArrayList<>(SelfCommand.words(s.root().env()));
    words.addAll(SelfCommand.globalFlags(s.options()));
    words.add("tunnel");
    words.add(r.id().toString());
    if (node != 0) {
      words.add("--node");
      words.add(Integer.toString(node));
    }
    // ssh expands %-tokens in ProxyCommand
    return SelfCommand.shell(words).replace("%", "%%");
  }

  /** The name ssh knows the server by, also the key of its host key in known_hosts. */
  static String hostAlias(Reservation r, int node) {
    return "odc-" + r.shortId() + (node == 0 ? "" : "-node" + node);
  }

  /** The reservation, which must be ACTIVE. */
  static Reservation active(Session s, String id) {
    Reservation r = s.api().get(Reservations.path(id), Reservation.class);
    if (r.status() != ReservationStatus.ACTIVE) {
      throw new CliException(
          ExitCodes.ERROR,
          "reservation " + r.shortId() + " is " + r.status() + "; ssh works once it is ACTIVE");
    }
    return r;
  }
}
