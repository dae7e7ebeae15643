package dev.odc.cli;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ssh-config",
    description = {
      "Write ssh Host entries (odc-NAME, odc-ID) for your active reservations, so plain `ssh`,",
      "scp, rsync and VS Code Remote-SSH reach them through the ODC API's tunnel.",
      "They go to ~/.ssh/gpu-dev.conf, which this command includes from ~/.ssh/config (one",
      "Include line added at its top; the rest of your config is left as it is)."
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev ssh-config && ssh odc-train",
      "  gpu-dev ssh-config 1a2b3c4d --print"
    })
final class SshConfigCommand implements Callable<Integer> {
  static final String FILE_NAME = "gpu-dev.conf";

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..*",
      paramLabel = "ID",
      description = "Only these reservations (default: all your ACTIVE ones).")
  List<String> ids = new ArrayList<>();

  @Option(names = "--print", description = "Print the entries instead of writing them.")
  boolean print;

  @Option(
      names = {"-l", "--user"},
      paramLabel = "USER",
      description =
          "Account on the servers (default: `config set ssh.user`, else "
              + SshCommand.DEFAULT_USER
              + ").")
  String user;

  @Override
  public Integer call() throws IOException {
    Session s = Session.of(spec, common);
    List<Reservation> reservations = new ArrayList<>();
    if (ids.isEmpty()) {
      reservations.addAll(
          s.api().listAll("/v1/reservations?status=ACTIVE", Reservation.class, 0).stream()
              .filter(r -> r.status() == ReservationStatus.ACTIVE)
              .toList());
    } else {
      for (String id : ids) {
        reservations.add(SshCommand.active(s, id));
      }
    }
    String entries = entries(s, reservations);
    if (print) {
      s.out().print(entries);
      s.out().flush();
      return ExitCodes.OK;
    }
    Path dir = SshKeyFiles.home(s.root().env()).resolve(".ssh");
    Path file = dir.resolve(FILE_NAME);
    writePrivately(dir, file, entries);
    boolean included = ensureIncluded(dir.resolve("config"), file);
    s.out()
        .println(
            "Wrote "
                + reservations.size()
                + " host entr"
                + (reservations.size() == 1 ? "y" : "ies")
                + " to "
                + file
                + (included ? " (and included it from " + dir.resolve("config") + ")" : "")
                + ".");
    for (Reservation r : reservations) {
      s.out().println("  ssh " + hostNames(r, reservations).get(0));
    }
    s.out().flush();
    return ExitCodes.OK;
  }

  /** The Host entries for these reservations. */
  String entries(Session s, List<Reservation> reservations) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by `gpu-dev ssh-config`; it is rewritten on each run.\n");
    for (Reservation r : reservations) {
      for (int node = 0; node < r.nodeCount(); node++) {
        List<String> names = new ArrayList<>();
        for (String name : hostNames(r, reservations)) {
          names.add(node == 0 ? name : name + "-node" + node);
        }
        sb.append('\n');
        sb.append("Host ").append(String.join(" ", names)).append('\n');
        sb.append("  HostName ").append(SshCommand.hostAlias(r, node)).append('\n');
        sb.append("  HostKeyAlias ").append(SshCommand.hostAlias(r, node)).append('\n');
        sb.append("  User ").append(SshCommand.user(s, user)).append('\n');
        sb.append("  ProxyCommand ").append(SshCommand.proxyCommand(s, r, node)).append('\n');
        sb.append("  ServerAliveInterval 30\n");
      }
    }
    return sb.toString();
  }

  /** {@code odc-NAME} (when no other listed reservation has that name) and {@code odc-ID}. */
  static List<String> hostNames(Reservation r, List<Reservation> all) {
    Map<String, Integer> counts = new HashMap<>();
    all.forEach(x -> counts.merge(x.name(), 1, Integer::sum));
    List<String> names = new ArrayList<>();
    if (counts.getOrDefault(r.name(), 0) == 1) {
      names.add("odc-" + r.name());
    }
    names.add("odc-" + r.shortId());
    return names;
  }

  private static void writePrivately(Path dir, Path file, String text) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Puts {@code Include FILE} at the top of the user's ssh config (an Include further down would
   * only apply inside the Host block before it), keeping every other byte.
   *
   * @return true when the line was added now
   */
  static boolean ensureIncluded(Path config, Path file) throws IOException {
    String include = "Include " + file.toAbsolutePath();
    String existing =
        Files.isRegularFile(config) ? Files.readString(config, StandardCharsets.UTF_8) : "";
    if (existing.lines().map(String::strip).anyMatch(l -> l.equalsIgnoreCase(include))) {
      return false;
    }
    String text =
        "# Added by gpu-dev ssh-config: Host entries of your ODC servers\n"
            + include
            + "\n\n"
            + existing;
    // a config that is a symlink (dotfile managers) is updated where it points, not replaced
    Path target = Files.isSymbolicLink(config) ? config.toRealPath() : config;
    writePrivately(target.getParent(), target, text);
    return true;
  }
}
