package dev.odc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One tunnel: a WebSocket to {@code /v1/reservations/{id}/tunnel} that carries the bytes of one TCP
 * connection to a port of the reservation's server. Binary messages both ways; the server's bytes
 * are written to a sink as they arrive, and the next message is asked for only once the sink took
 * the last, so a slow reader slows the server down instead of filling memory.
 */
final class TunnelClient implements WebSocket.Listener, AutoCloseable {
  /** Keeps the connection alive through the api-service's and proxies' idle timeouts. */
  static final Duration PING_INTERVAL = Duration.ofSeconds(30);

  private static final int CHUNK = 32 * 1024;

  private final OutputStream sink;
  private final CompletableFuture<Close> closed = new CompletableFuture<>();
  private final ScheduledExecutorService pinger;
  private WebSocket socket;

  private TunnelClient(OutputStream sink) {
    this.sink = sink;
    this.pinger =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("tunnel-ping").daemon().unstarted(r));
  }

  /**
   * Opens a tunnel.
   *
   * @param sink where the server's bytes go
   * @throws CliException with the API's answer when the tunnel is refused (404 for a reservation
   *     that is not yours, 409 while it is not ACTIVE, ...)
   */
  static TunnelClient open(Session s, String id, int node, int port, OutputStream sink) {
    String base = s.apiUrl();
    URI uri =
        URI.create(
            base.replaceFirst("^http", "ws")
                + Reservations.path(id)
                + "/tunnel"
                + ApiClient.query(Map.of("node", node, "port", port)));
    TunnelClient client = new TunnelClient(sink);
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(ApiClient.CONNECT_TIMEOUT_MILLIS))
            .build();
    try {
      client.socket =
          http.newWebSocketBuilder()
              .header("Authorization", "Bearer " + s.credential())
              .connectTimeout(Duration.ofMillis(ApiClient.CONNECT_TIMEOUT_MILLIS))
              .buildAsync(uri, client)
              .get();
    } catch (ExecutionException e) {
      client.pinger.shutdownNow();
      throw failure(s, id, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.pinger.shutdownNow();
      throw new CliException(ExitCodes.ERROR, "interrupted while opening the tunnel", e);
    }
    client.pinger.scheduleAtFixedRate(
        client::ping, PING_INTERVAL.toMillis(), PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return client;
  }

  private static CliException failure(Session s, String id, Throwable cause) {
    if (cause instanceof WebSocketHandshakeException h) {
      Object body = h.getResponse().body();
      String text = body instanceof String str ? str : "";
      int status = h.getResponse().statusCode();
      if (text.isBlank() && status == 404) {
        text = "{\"code\":\"NOT_FOUND\",\"message\":\"reservation '" + id + "' not found\"}";
      }
      return s.api().errorFor(status, text);
    }
    if (cause instanceof IOException) {
      return new CliException(
          ExitCodes.ERROR,
          "cannot open the tunnel at " + s.apiUrl() + ": " + ApiClient.firstLine(cause.toString()),
          cause);
    }
    return new CliException(
        ExitCodes.ERROR,
        "cannot open the tunnel: " + ApiClient.firstLine(String.valueOf(cause)),
        cause);
  }

  /**
   * Sends everything {@code in} gives until its end or until the tunnel closes, then closes the
   * tunnel's sending side.
   */
  void sendAll(InputStream in) throws IOException {
    byte[] buffer = new byte[CHUNK];
    int n;
    while (!closed.isDone() && (n = in.read(buffer)) >= 0) {
      if (n == 0) {
        continue;
      }
      try {
        // the buffer is reused once the send completes, the JDK has taken the data then
        socket.sendBinary(ByteBuffer.wrap(buffer, 0, n), true).join();
      } catch (CompletionException e) {
        if (closed.isDone()) {
          return;
        }
        throw new IOException("the tunnel failed: " + e.getCause(), e.getCause());
      }
    }
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }
  }

  /**
   * How a tunnel ended.
   *
   * @param code the WebSocket close code: 1000 normal, 4001 the reservation ended, -1 failed
   * @param reason what the server (or the failure) said; may be empty
   */
  record Close(int code, String reason) {
    boolean normal() {
      return code == WebSocket.NORMAL_CLOSURE;
    }
  }

  /** Waits until the tunnel closes. */
  Close awaitClose() throws InterruptedException {
    try {
      return closed.get();
    } catch (ExecutionException e) {
      return new Close(-1, ApiClient.firstLine(String.valueOf(e.getCause())));
    }
  }

  /** Waits at most {@code timeout} for the tunnel to close; empty when it is still open. */
  Optional<Close> awaitClose(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (ExecutionException e) {
      return Optional.of(new Close(-1, ApiClient.firstLine(String.valueOf(e.getCause()))));
    } catch (TimeoutException e) {
      return Optional.empty();
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  private void ping() {
    if (!socket.isOutputClosed()) {
      socket.sendPing(ByteBuffer.allocate(0)).exceptionally(e -> null);
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    try {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      sink.write(bytes);
      sink.flush();
      webSocket.request(1);
    } catch (IOException e) {
      closed.complete(new Close(-1, "the local end closed"));
      webSocket.abort();
    }
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Close(statusCode, reason == null ? "" : reason));
    pinger.shutdownNow();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(
        new Close(-1, "the tunnel failed: " + ApiClient.firstLine(String.valueOf(error))));
    pinger.shutdownNow();
  }

  /** Closes the tunnel, waiting a moment for the server's answer before dropping it. */
  @Override
  public void close() {
    pinger.shutdownNow();
    if (socket != null && !closed.isDone()) {
      if (!socket.isOutputClosed()) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
      }
      try {
        awaitClose(Duration.ofSeconds(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      socket.abort();
    }
    closed.complete(new Close(WebSocket.NORMAL_CLOSURE, ""));
  }
}
