package dev.odc.hostile;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * STS as it answers requests whose signature it cannot verify, which is every request an attacker
 * without AWS credentials can make: 403 with an error document.
 */
final class FakeSts implements AutoCloseable {
  private static final byte[] DENIED =
      ("<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"
              + "<Message>The request signature we calculated does not match</Message></Error>"
              + "</ErrorResponse>")
          .getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;

  FakeSts() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "text/xml");
          exchange.sendResponseHeaders(403, DENIED.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(DENIED);
          }
        });
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
