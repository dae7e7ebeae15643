package dev.odc.providers.aws;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A {@code moto_server} process on a free loopback port, for the lifetime of a test class. */
final class MotoServer implements AutoCloseable {
  private static final String DEFAULT_BINARY = "/root/.pyenv/shims/moto_server";

  private final Process process;
  private final int port;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static MotoServer start() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String binary = System.getProperty("odc.moto", DEFAULT_BINARY);
    if (!Files.isExecutable(Path.of(binary))) {
      binary = "moto_server";
    }
    Path log = Files.createTempFile("moto-", ".log");
    Process process =
        new ProcessBuilder(binary, "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoServer server = new MotoServer(process, port);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> process.isAlive() && server.accepts());
    } catch (RuntimeException e) {
      server.close();
      throw new IOException("moto_server did not start; its output is in " + log, e);
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

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
