package dev.odc.deploy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Validates Kubernetes objects against the official API schemas, as a real API server would before
 * storing them: the fabric8 mock server stores anything, so without this an invalid field would
 * pass every test and fail the first rollout.
 *
 * <p>Runs {@code deploy-tests/src/test/k8s-schema/validate.mjs} with Node.js. Its npm packages
 * (kubernetes-models, generated from the Kubernetes OpenAPI spec, and the Prometheus operator's
 * models) are installed once into {@code ~/.cache/odc/k8s-schema/<hash of package.json>}; the
 * VolumeSnapshot CRDs come from the external-snapshotter release beside the project in {@code
 * ../shared/third-party}.
 */
final class KubernetesSchema {

  /** The verdict on one object: no errors means a real API server's schema check accepts it. */
  record Verdict(int index, String apiVersion, String kind, String name, List<String> errors) {
    Verdict {
      errors = List.copyOf(requireNonNull(errors, "errors is null"));
    }

    boolean valid() {
      return errors.isEmpty();
    }

    @Override
    public String toString() {
      return apiVersion + " " + kind + " " + name + ": " + String.join("; ", errors);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SNAPSHOT_CRDS = "external-snapshotter-v8.6.0";

  private KubernetesSchema() {}

  /** Node.js and npm are on this machine: without them nothing can be validated. */
  static boolean available() {
    return onPath("node") && onPath("npm");
  }

  /**
   * Validates each object (a JSON tree of a whole Kubernetes object) and returns a verdict each.
   */
  static List<Verdict> validate(List<JsonNode> objects) {
    Path home = installed();
    try {
      Path input = Files.createTempFile("odc-k8s-objects", ".json");
      try {
        JSON.writeValue(input.toFile(), objects);
        List<String> command = new ArrayList<>(List.of("node", "validate.mjs", input.toString()));
        snapshotCrds().ifPresent(dir -> command.add(dir.toString()));
        String output = run(home, command, 120);
        List<Verdict> verdicts = JSON.readValue(output, new TypeReference<List<Verdict>>() {});
        if (verdicts.size() != objects.size()) {
          throw new IllegalStateException(
              "validator answered " + verdicts.size() + " verdicts for " + objects.size());
        }
        return verdicts;
      } finally {
        Files.deleteIfExists(input);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The external-snapshotter CRDs beside the project (absent outside this workplace's layout). */
  static Optional<Path> snapshotCrds() {
    Path dir = Chart.repoRoot().resolve("../shared/third-party").resolve(SNAPSHOT_CRDS).normalize();
    return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
  }

  private static Path source() {
    return Chart.repoRoot().resolve("deploy-tests/src/test/k8s-schema");
  }

  /** The validator with its packages, installed once per package.json and shared across runs. */
  private static synchronized Path installed() {
    try {
      byte[] packageJson = Files.readAllBytes(source().resolve("package.json"));
      String version = HexFormat.of().formatHex(sha256(packageJson)).substring(0, 16);
      Path home = Path.of(System.getProperty("user.home"), ".cache", "odc", "k8s-schema", version);
      Files.createDirectories(home);
      try (FileChannel lockFile =
              FileChannel.open(
                  home.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        Path marker = home.resolve(".installed");
        if (!Files.exists(marker)) {
          Files.write(home.resolve("package.json"), packageJson);
          run(
              home,
              List.of(
                  "npm",
                  "install",
                  "--no-package-lock",
                  "--no-audit",
                  "--no-fund",
                  "--loglevel=error",
                  "--engine-strict=false"),
              600);
          Files.writeString(marker, version);
        }
        // The script may change without package.json changing: always take the current one.
        Files.copy(
            source().resolve("validate.mjs"),
            home.resolve("validate.mjs"),
            StandardCopyOption.REPLACE_EXISTING);
      }
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String run(Path dir, List<String> command, long timeoutSeconds) {
    try {
      Path stdout = Files.createTempFile("odc-k8s-schema", ".out");
      Path stderr = Files.createTempFile("odc-k8s-schema", ".err");
      try {
        Process process =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(
              command
                  + " exited "
                  + process.exitValue()
                  + ": "
                  + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
