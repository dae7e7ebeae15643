package dev.odc.processor;

import dev.odc.core.SshKey;
import dev.odc.database.SshKeyDao;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/** Where a user's SSH public keys come from. */
@FunctionalInterface
public interface SshKeySource {
  /**
   * The user's public keys in {@code authorized_keys} format.
   *
   * @return the keys; empty when the user has none (the server then accepts no SSH login)
   * @throws UncheckedIOException when the source cannot be read
   */
  List<String> keysFor(String username);

  /** The keys users registered with the API ({@code /v1/ssh-keys}), oldest first. */
  static SshKeySource registered(Jdbi jdbi) {
    Objects.requireNonNull(jdbi, "jdbi is null");
    return username ->
        jdbi.withExtension(SshKeyDao.class, d -> d.listByUsername(username)).stream()
            .map(SshKey::publicKey)
            .toList();
  }

  /** The keys of both sources, each once, {@code first}'s first. */
  static SshKeySource union(SshKeySource first, SshKeySource second) {
    Objects.requireNonNull(first, "first is null");
    Objects.requireNonNull(second, "second is null");
    return username -> {
      Set<String> keys = new LinkedHashSet<>(first.keysFor(username));
      keys.addAll(second.keysFor(username));
      return List.copyOf(keys);
    };
  }

  /** Keys given in configuration, per username. */
  static SshKeySource of(Map<String, List<String>> keys) {
    Map<String, List<String>> copy = Map.copyOf(Objects.requireNonNull(keys, "keys is null"));
    return username -> copy.getOrDefault(username, List.of());
  }

  /**
   * Keys read from {@code <directory>/<username>.pub}, one per line, blank lines and comments
   * ignored; a missing file means no keys.
   */
  static SshKeySource directory(Path directory) {
    Objects.requireNonNull(directory, "directory is null");
    return username -> {
      if (!username.matches("[A-Za-z0-9._-]+")) {
        return List.of();
      }
      Path file = directory.resolve(username + ".pub");
      if (!Files.isRegularFile(file)) {
        return List.of();
      }
      try {
        return Files.readAllLines(file).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read SSH keys of " + username + " from " + file, e);
      }
    };
  }
}
