package dev.odc.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to run this same CLI from another program (ssh's ProxyCommand): the launcher script when
 * {@code bin/gpu-dev} started us ({@code $GPU_DEV_LAUNCHER}), else this JVM with its class path.
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
    // java -jar gpu-dev.jar has the jar as its class path, so this covers that case too
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        Main.class.getName());
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
}
