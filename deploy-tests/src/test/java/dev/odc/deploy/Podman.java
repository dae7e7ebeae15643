package dev.odc.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The podman command line, for the tests that run ODC's images. The images are the OCI archives
 * {@code deploy/images/build.sh} writes (the Maven profile {@code images} builds them into {@code
 * target/images} and names that folder in the system property {@code odc.images.dir}). Images are
 * run by their id, read from the archive, so a tag another build moved meanwhile never swaps the
 * image under test.
 */
final class Podman {
  static final String IMAGES_DIR_PROPERTY = "odc.images.dir";

  /** Why the image tests did not run, when the images were not built in this run. */
  static final String OFF =
      "container image tests are off: bin/test turns them on (Maven profile 'images') where"
          + " podman, runc and debootstrap are installed and it runs as root";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Podman() {}

  /**
   * Skips the calling test, with the reason, unless the images were built in this run and podman
   * works here.
   */
  static Path imagesOrSkip() {
    String dir = System.getProperty(IMAGES_DIR_PROPERTY);
    Assumptions.assumeTrue(dir != null && !dir.isBlank(), OFF);
    Optional<String> broken = unusable();
    Assumptions.assumeTrue(broken.isEmpty(), () -> "podman does not work here: " + broken.get());
    return Path.of(dir);
  }

  /** Why podman cannot run containers here, or empty when it can. */
  static Optional<String> unusable() {
    try {
      Result info = run(List.of("info", "--format", "{{.Host.OCIRuntime.Name}}"), 60);
      return info.exit() == 0
          ? Optional.empty()
          : Optional.of("'podman info' exited with " + info.exit() + ": " + info.output());
    } catch (IOException e) {
      return Optional.of("podman cannot be started: " + e.getMessage());
    }
  }

  /** What a finished podman command exited with and printed (stdout and stderr). */
  record Result(int exit, String output) {
    Result requireSuccess(String what) {
      if (exit != 0) {
        throw new AssertionError(what + " exited with " + exit + ":\n" + output);
      }
      return this;
    }
  }

  /**
   * Loads an OCI archive into podman's store.
   *
   * @return the image id (the digest of the image's configuration, as podman names it)
   */
  static String load(Path archive) throws IOException {
    if (!Files.isRegularFile(archive)) {
      throw new AssertionError(
          archive + " is missing: deploy/images/build.sh writes it in pre-integration-test");
    }
    run(List.of("load", "-q", "-i", archive.toString()), 600).requireSuccess("podman load");
    JsonNode index = JSON.readTree(entry(archive, "index.json"));
    String manifest = blob(index.at("/manifests/0/digest").asText());
    JsonNode config = JSON.readTree(entry(archive, manifest)).at("/config/digest");
    String id = config.asText().replaceFirst("^sha256:", "");
    if (!id.matches("[0-9a-f]{64}")) {
      throw new IllegalStateException("no image configuration digest in " + archive);
    }
    run(List.of("image", "exists", id), 60).requireSuccess("podman image exists " + id);
    return id;
  }

  /** Runs {@code podman args...} to its end, at most {@code timeoutSeconds}. */
  static Result run(List<String> args, long timeoutSeconds) throws IOException {
    Path log = Files.createTempFile("odc-podman", ".log");
    try {
      Process process = start(args, log);
      try {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "podman " + args + " did not end in " + timeoutSeconds + " s:\n" + read(log));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for podman " + args, e);
      } finally {
        process.destroyForcibly();
      }
      return new Result(process.exitValue(), read(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Starts {@code podman args...}; its output (stdout and stderr) goes to {@code log}. */
  static Process start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("podman");
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // bin/lib/podman.sh's settings (runc, ulimits) when the caller did not point podman at its own
    Path conf = cacheDir().resolve("containers.conf");
    if (System.getenv("CONTAINERS_CONF") == null && Files.isRegularFile(conf)) {
      builder.environment().put("CONTAINERS_CONF", conf.toString());
    }
    return builder.start();
  }

  /** Removes a container whether it runs or not; a missing one is fine. */
  static void remove(String name) throws IOException {
    run(List.of("rm", "--force", "--time", "5", "--ignore", name), 120);
  }

  private static Path cacheDir() {
    String dir = System.getenv("ODC_CACHE_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("odc");
  }

  private static String blob(String digest) {
    return "blobs/" + digest.replace(':', '/');
  }

  /** One file of a tar archive, read with the system's tar. */
  private static byte[] entry(Path archive, String name) throws IOException {
    Process tar =
        new ProcessBuilder("tar", "-xOf", archive.toString(), name)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] bytes = tar.getInputStream().readAllBytes();
    try {
      if (tar.waitFor() != 0) {
        throw new IOException("no " + name + " in " + archive);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted reading " + archive, e);
    }
    return bytes;
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
