package dev.odc.cli;

import dev.odc.core.SshKey;
import dev.odc.core.api.AddSshKeyRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ssh-key",
    description = "Your SSH public keys: ODC puts them into your servers' authorized_keys.",
    subcommands = {
      SshKeyCommand.Add.class,
      SshKeyCommand.ListKeys.class,
      SshKeyCommand.Remove.class
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev ssh-key add                      # ~/.ssh/id_ed25519.pub or the first key found",
      "  gpu-dev ssh-key add ~/.ssh/work.pub --name work",
      "  gpu-dev ssh-key list",
      "  gpu-dev ssh-key remove SHA256:abc..."
    })
final class SshKeyCommand implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** Registers the key in {@code file}; shared with {@code gpu-dev login}. */
  static SshKey register(Session s, String publicKeyLine, String name) {
    return s.api().post("/v1/ssh-keys", new AddSshKeyRequest(publicKeyLine, name), SshKey.class);
  }

  static String describe(SshKey k) {
    return k.type() + " " + k.bits() + " " + k.fingerprint() + " '" + k.name() + "'";
  }

  @Command(
      name = "add",
      description = {
        "Register a public key (a .pub file, or - for stdin).",
        "Without FILE: the first of ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_ed25519_sk.pub,"
            + " id_ecdsa_sk.pub, id_rsa.pub."
      })
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The public key file, or -.")
    String file;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "A label (default: the key's comment).")
    String name;

    @Override
    public Integer call() throws IOException {
      Session s = Session.of(spec, common);
      String line;
      if ("-".equals(file)) {
        line =
            SshKeyFiles.checkPublic(
                new String(System.in.readAllBytes(), StandardCharsets.UTF_8), "stdin", false);
      } else {
        Path path =
            file != null
                ? Path.of(file)
                : SshKeyFiles.defaultPublicKey(s.root().env())
                    .orElseThrow(
                        () ->
                            CliException.usage(
                                "no public key in "
                                    + SshKeyFiles.home(s.root().env()).resolve(".ssh")
                                    + ": give a FILE, or make a key with `ssh-keygen -t ed25519`"));
        line = SshKeyFiles.readPublicKey(path);
      }
      SshKey key = register(s, line, name);
      if (common.json()) {
        s.printJson(key);
      } else {
        s.out().println("Added SSH key " + describe(key) + " (" + key.id() + ").");
        s.out().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", aliases = "ls", description = "List your SSH keys.")
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      List<SshKey> keys = s.api().listAll("/v1/ssh-keys", SshKey.class, 0);
      if (common.json()) {
        s.printJson(keys);
        return ExitCodes.OK;
      }
      if (keys.isEmpty()) {
        s.out().println("No SSH keys. Add one with `gpu-dev ssh-key add`.");
        s.out().flush();
        return ExitCodes.OK;
      }
      Table t = new Table("ID", "NAME", "TYPE", "BITS", "FINGERPRINT", "ADDED");
      for (SshKey k : keys) {
        t.row(k.id(), k.name(), k.type(), k.bits(), k.fingerprint(), Fmt.time(k.createdAt()));
      }
      t.print(s.out());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "remove",
      aliases = "rm",
      description = "Remove a key by id, fingerprint (SHA256:...) or name.")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "KEY", description = "The key's id, fingerprint or name.")
    String key;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      List<SshKey> matches =
          s.api().listAll("/v1/ssh-keys", SshKey.class, 0).stream()
              .filter(
                  k ->
                      k.id().toString().equalsIgnoreCase(key)
                          || k.fingerprint().equals(key)
                          || k.fingerprint().equals("SHA256:" + key)
                          || k.name().equals(key))
              .toList();
      if (matches.isEmpty()) {
        throw new CliException(
            ExitCodes.NOT_FOUND, "no SSH key '" + key + "' (see `gpu-dev ssh-key list`)");
      }
      if (matches.size() > 1) {
        throw CliException.usage(
            matches.size() + " keys are named '" + key + "'; remove one by id or fingerprint");
      }
      SshKey k = matches.get(0);
      s.api().delete("/v1/ssh-keys/" + k.id());
      s.out().println("Removed SSH key " + describe(k) + ".");
      s.out().flush();
      return ExitCodes.OK;
    }
  }
}
