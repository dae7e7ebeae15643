package dev.odc.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The CLI's files in {@code $XDG_CONFIG_HOME/gpu-dev/} (default {@code ~/.config/gpu-dev/}): {@code
 * config.json} (or a flat {@code config.yaml}) for settings and {@code tokens.json} for the login.
 * The directory is 0700 and every file 0600, written atomically so a crash never leaves half a
 * token file.
 */
public final class ConfigStore {
  public static final String CONFIG_JSON = "config.json";
  public static final String CONFIG_YAML = "config.yaml";
  public static final String TOKENS = "tokens.json";

  /** The settings {@code config set} accepts. */
  public static final Map<String, String> KEYS =
      Map.of(
          "api-url", "ODC API base URL",
          "default.gpu-type", "GPU type for reserve when -t is not given",
          "default.gpus", "GPU count for reserve when -g is not given",
          "default.hours", "hours for reserve when -H is not given",
          "default.image", "container image for reserve",
          "default.disk", "disk name (or none) for reserve",
          "login.ports", "loopback ports login tries, comma-separated",
          "browser", "command that opens a URL (the URL is appended)",
          "ssh.user", "account gpu-dev ssh and ssh-config log in as (default dev)");

  private final Path dir;
  private final ObjectMapper mapper;

  public ConfigStore(Path dir, ObjectMapper mapper) {
    this.dir = dir;
    this.mapper = mapper;
  }

  /** The directory from the environment, as the XDG base directory spec says. */
  public static Path defaultDir(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "gpu-dev");
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".config", "gpu-dev");
  }

  public Path dir() {
    return dir;
  }

  public Map<String, String> settings() {
    try {
      Path json = dir.resolve(CONFIG_JSON);
      if (Files.exists(json)) {
        return new TreeMap<>(
            mapper.readValue(json.toFile(), new TypeReference<Map<String, String>>() {}));
      }
      Path yaml = dir.resolve(CONFIG_YAML);
      if (Files.exists(yaml)) {
        return readFlatYaml(yaml);
      }
      return new TreeMap<>();
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "cannot read configuration in " + dir + ": " + e.getMessage(), e);
    }
  }

  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings().get(key)).filter(v -> !v.isBlank());
  }

  /** Stores one setting; always writes {@code config.json}, keeping what a YAML file had. */
  public void set(String key, String value) {
    if (!KEYS.containsKey(key)) {
      throw CliException.usage(
          "unknown setting '" + key + "'; known: " + new TreeMap<>(KEYS).keySet());
    }
    Map<String, String> all = settings();
    if (value == null || value.isBlank()) {
      all.remove(key);
    } else {
      all.put(key, value);
    }
    try {
      writePrivate(CONFIG_JSON, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot write configuration: " + e.getMessage(), e);
    }
  }

  public Optional<Tokens> tokens() {
    Path file = dir.resolve(TOKENS);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(mapper.readValue(file.toFile(), Tokens.class));
    } catch (IOException e) {
      // A damaged token file means a new login, not a crash.
      return Optional.empty();
    }
  }

  public void saveTokens(Tokens tokens) {
    try {
      writePrivate(TOKENS, mapper.writeValueAsBytes(tokens));
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot save login tokens: " + e.getMessage(), e);
    }
  }

  public boolean deleteTokens() {
    try {
      return Files.deleteIfExists(dir.resolve(TOKENS));
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot delete login tokens: " + e.getMessage(), e);
    }
  }

  /** Writes a file readable by its owner only: temp file with 0600, then an atomic rename. */
  void writePrivate(String name, byte[] content) throws IOException {
    ensureDir();
    Path tmp =
        Files.createTempFile(
            dir,
            "." + name + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(tmp, content);
      try {
        Files.move(
            tmp,
            dir.resolve(name),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void ensureDir() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    // Tighten a directory someone created by hand with looser permissions.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  private static Map<String, String> readFlatYaml(Path yaml) throws IOException {
    Map<String, String> out = new TreeMap<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(yaml, StandardCharsets.UTF_8)) {
      lineNo++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      if (colon <= 0) {
        throw new IOException(yaml + " line " + lineNo + ": expected 'key: value'");
      }
      String value = trimmed.substring(colon + 1).strip();
      if (value.length() >= 2
          && (value.startsWith("\"") && value.endsWith("\"")
              || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      out.put(trimmed.substring(0, colon).strip(), value);
    }
    return out;
  }
}
