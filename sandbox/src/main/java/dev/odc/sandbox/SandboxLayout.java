package dev.odc.sandbox;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where the built sandbox keeps its parts: next to {@code sandbox.jar} in {@code target/}. */
final class SandboxLayout {
  static final String OIDC_LIB_PROPERTY = "odc.sandbox.oidc-lib";

  private SandboxLayout() {}

  /**
   * The jars of the identity provider: the {@value #OIDC_LIB_PROPERTY} system property, else {@code
   * oidc-lib/} beside the directory or jar this class was loaded from.
   */
  static Path oidcLibDir() {
    String configured = System.getProperty(OIDC_LIB_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    try {
      Path codeSource =
          Path.of(SandboxLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return codeSource.getParent().resolve("oidc-lib");
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the sandbox's jars", e);
    }
  }
}
