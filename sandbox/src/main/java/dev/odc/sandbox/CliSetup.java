package dev.odc.sandbox;

import dev.odc.cli.ConfigStore;
import dev.odc.core.Json;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Points the {@code gpu-dev} CLI at the sandbox by writing its {@code api-url} setting, unless it
 * already names another (non-loopback) ODC: a user's real configuration is never overwritten.
 */
final class CliSetup {
  private CliSetup() {}

  /** What {@link #configure} did. */
  record Outcome(boolean written, Path configDir, Optional<String> previousUrl) {}

  /**
   * @param localSsh the sandbox's servers are sshd processes of the local user: `gpu-dev ssh` logs
   *     in as that user (unless {@code ssh.user} is set already)
   */
  static Outcome configure(Map<String, String> env, String apiUrl, boolean localSsh) {
    ConfigStore store = new ConfigStore(ConfigStore.defaultDir(env), Json.newMapper());
    Optional<String> previous = store.setting("api-url");
    if (previous.isPresent() && !previous.get().equals(apiUrl) && !isLoopback(previous.get())) {
      return new Outcome(false, store.dir(), previous);
    }
    if (previous.isEmpty() || !previous.get().equals(apiUrl)) {
      store.set("api-url", apiUrl);
    }
    if (localSsh && store.setting("ssh.user").isEmpty()) {
      store.set("ssh.user", System.getProperty("user.name"));
    }
    return new Outcome(true, store.dir(), previous);
  }

  static boolean isLoopback(String url) {
    try {
      String host = URI.create(url).getHost();
      return host != null
          && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
