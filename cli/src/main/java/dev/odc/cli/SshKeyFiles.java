package dev.odc.cli;

import dev.odc.core.SshKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The user's SSH key files: where they usually are, and reading one public key safely. */
final class SshKeyFiles {
  /** The public keys looked for, in order, as {@code ssh} itself tries identities. */
  static final List<String> DEFAULT_NAMES =
      List.of(
          "id_ed25519.pub", "id_ecdsa.pub", "id_ed25519_sk.pub", "id_ecdsa_sk.pub", "id_rsa.pub");

  private SshKeyFiles() {}

  /** The home directory: {@code $HOME}, else the JVM's idea of it. */
  static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
  }

  /** The first default public key file that exists and holds a public key. */
  static Optional<Path> defaultPublicKey(Map<String, String> env) {
    Path dir = home(env).resolve(".ssh");
    for (String name : DEFAULT_NAMES) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)) {
        try {
          String text = Files.readString(file, StandardCharsets.UTF_8);
          if (!SshKey.looksPrivate(text) && !text.isBlank()) {
            return Optional.of(file);
          }
        } catch (IOException e) {
          // an unreadable candidate is skipped like a missing one
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Reads one public key line from a file. A private key is refused here, so it never leaves this
   * machine.
   *
   * @throws CliException a usage error naming the file (never its contents)
   */
  static String readPublicKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + file + ": " + e.getMessage());
    }
    return checkPublic(text, file.toString(), Files.isRegularFile(Path.of(file + ".pub")));
  }

  /** Checks text read from {@code source} (a file name, or "stdin"). */
  static String checkPublic(String text, String source, boolean pubFileExists) {
    if (SshKey.looksPrivate(text)) {
      throw CliException.usage(
          source
              + " is a PRIVATE key; it was not sent. Give the public key"
              + (pubFileExists ? ": " + source + ".pub" : " (the .pub file)")
              + ".");
    }
    String line =
        text.lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .findFirst()
            .orElseThrow(() -> CliException.usage(source + " holds no public key"));
    return line;
  }
}
