package dev.odc.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code moto_server} process (preinstalled on the build machines: moto's AWS API fake, for EC2
 * and STS) on a free loopback port. Its output goes to a temporary log file, named in the error
 * when it does not start. It is stopped by {@link #close()}, or at JVM exit when a test class
 * failed before it could close it.
 *
 * <p>Kept out of the test classes so that the readiness check does not belong to a class still in
 * its static initializer (a test that starts it from a static field), which would deadlock
 * Awaitility's polling thread.
 */
public final class MotoServer implements AutoCloseable {
  /** Where the build machines' moto_server is; {@code -Dodc.moto=PATH} names another. */
  private static final String DEFAULT_BINARY = "/root/.pyenv/shims/moto_server";

  private final Process process;
  private final int port;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts moto_server and waits (up to a minute) until it accepts connections.
   *
   * @throws UncheckedIOException when it is not installed, exits or does not listen in time
   */
  public static MotoServer start() {
    String binary =
        binary()
            .orElseThrow(
                () ->
                    new UncheckedIOException(
                        new IOException(
                            "moto_server is not installed (not at "
                                + DEFAULT_BINARY
                                + ", -Dodc.moto or on the PATH)")));
    try {
      return start(binary);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Like {@link #start()}, but empty when moto_server is not installed, for a test that skips. */
  public static Optional<MotoServer> startIfInstalled() {
    return binary().isEmpty() ? Optional.empty() : Optional.of(start());
  }

  private static Optional<String> binary() {
    String configured = System.getProperty("odc.moto", DEFAULT_BINARY);
    if (Files.isExecutable(Path.of(configured))) {
      return Optional.of(configured);
    }
    String path = System.getenv().getOrDefault("PATH", "");
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, "moto_server"))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .findFirst();
  }

  private static MotoServer start(String binary) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path log = Files.createTempFile("moto-", ".log");
    Process process =
        new ProcessBuilder(binary, "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoServer server = new MotoServer(process, port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "moto-server-stop"));
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> process.isAlive() && server.accepts());
    } catch (RuntimeException e) {
      server.close();
      throw new IOException(
          "moto_server did not start (alive: " + process.isAlive() + "); its output is in " + log,
          e);
    }
    return server;
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  /** Its base URL, {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Stops it (SIGTERM, then SIGKILL after 10 seconds). */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
