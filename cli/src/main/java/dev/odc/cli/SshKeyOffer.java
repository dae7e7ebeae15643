package dev.odc.cli;

import dev.odc.core.SshKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * After a login: a user without any SSH key registered is offered their usual public key, so that
 * `gpu-dev ssh` works from the first reservation on. Only asks on a terminal; a failure here never
 * fails the login.
 */
final class SshKeyOffer {
  private SshKeyOffer() {}

  /**
   * @param file a key to register without asking, or null to offer the default one
   */
  static void afterLogin(Session s, String file) {
    try {
      if (!s.api().listAll("/v1/ssh-keys", SshKey.class, 1).isEmpty()) {
        return;
      }
      Optional<Path> candidate =
          file != null ? Optional.of(Path.of(file)) : SshKeyFiles.defaultPublicKey(s.root().env());
      if (candidate.isEmpty()) {
        s.err()
            .println(
                "You have no SSH key registered: make one with `ssh-keygen -t ed25519`, then run"
                    + " `gpu-dev ssh-key add`.");
        return;
      }
      Path key = candidate.get();
      if (file == null && !Terminal.isTerminal()) {
        s.err()
            .println(
                "You have no SSH key registered; `gpu-dev ssh-key add "
                    + key
                    + "` registers yours (or log in with --ssh-key FILE).");
        return;
      }
      if (file == null && !ask(s, key)) {
        s.err().println("Not registered. `gpu-dev ssh-key add " + key + "` does it later.");
        return;
      }
      SshKey added = SshKeyCommand.register(s, SshKeyFiles.readPublicKey(key), null);
      s.out().println("Registered SSH key " + SshKeyCommand.describe(added) + " from " + key + ".");
    } catch (CliException e) {
      s.err().println("gpu-dev: could not register an SSH key: " + e.getMessage());
    } finally {
      s.out().flush();
      s.err().flush();
    }
  }

  /** Asks on the terminal; Enter means yes. */
  private static boolean ask(Session s, Path key) {
    s.err().print("You have no SSH key registered. Register " + key + " for ssh access? [Y/n] ");
    s.err().flush();
    try {
      String answer =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return answer != null
          && (answer.isBlank() || answer.strip().toLowerCase(Locale.ROOT).startsWith("y"));
    } catch (IOException e) {
      return false;
    }
  }
}
