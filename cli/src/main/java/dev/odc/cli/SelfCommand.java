package dev.odc.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to run this same CLI from another program (ssh's ProxyCommand): the launcher script when
 * {@code bin/gpu-dev} started us ({@code $GPU_DEV_LAUNCHER}), else this JVM with this jar or class
 * path.
 */
final class SelfCommand {
  static final String LAUNCHER_VARIABLE = "GPU_DEV_LAUNCHER";

  private SelfCommand() {}

  /** The command's words, without arguments. */
  static List<String> words(Map<String, String> env) {
    String launcher = env.get(LAUNCHER_VARIABLE);
    if (launcher != null && !launcher.isBlank() && Files.isExecutable(Path.of(launcher))) {
      return List.of(launcher);
    }
    List<String> words = new ArrayList<>();
    words.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path jar = codeSource();
    if (jar != null && jar.toString().endsWith(".jar")) {
      words.add("-jar");
      words.add(jar.toString());
    } else {
      words.add("-cp");
      words.add(System.getProperty("java.class.path"));
      words.add(Main.class.getName());
    }
    return words;
  }

  /** Words of a full command, each quoted for {@code sh -c} (ssh runs ProxyCommand that way). */
  static String shell(List<String> words) {
    StringBuilder sb = new StringBuilder();
    for (String w : words) {
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append(w.matches("[A-Za-z0-9_./:=@+-]+") ? w : "'" + w.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }

  /** The global flags a child invocation needs to talk to the same API as this one. */
  static List<String> globalFlags(CommonOptions common) {
    List<String> flags = new ArrayList<>();
    if (common.apiUrl != null) {
      flags.add("--api-url");
      flags.add(common.apiUrl);
    }
    if (common.apiKeyFile != null) {
      flags.add("--api-key");
      flags.add(Path.of(common.apiKeyFile).toAbsolutePath().toString());
    }
    return flags;
  }

  private static Path codeSource() {
    CodeSource source = SelfCommand.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return null;
    }
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }
}
