package dev.odc.api;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Starts {@code moto_server} (preinstalled) for tests. Kept out of the test classes so that the
 * readiness lambda does not belong to a class still in its static initializer, which would deadlock
 * Awaitility's polling thread.
 */
final class MotoServer {
  private MotoServer() {}

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Process start(int port) {
    Process process;
    try {
      process =
          new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(new File("target/moto-server.log"))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("moto_server cannot be started", e);
    }
    // also when the test class fails before its @AfterAll could stop it
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsMatching(e -> e instanceof IOException)
        .until(() -> accepts(process, port));
    return process;
  }

  private static boolean accepts(Process process, int port) throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "moto_server exited with " + process.exitValue() + "; see target/moto-server.log");
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return socket.isConnected();
    }
  }
}
