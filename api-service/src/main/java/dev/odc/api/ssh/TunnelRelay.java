package dev.odc.api.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one WebSocket to one TCP connection: binary messages from the client are written to the
 * server's port; bytes read from the port are sent back as binary messages. Each direction waits
 * for the other end to take its data before reading more, so neither side can flood the other.
 */
public final class TunnelRelay implements Session.Listener, OpenTunnels.Tunnel {
  private static final Logger log = LoggerFactory.getLogger(TunnelRelay.class);

  /** WebSocket close code (application range) for a reservation that ended. */
  static final int RESERVATION_ENDED = 4001;

  private static final int CHUNK = 32 * 1024;

  private final Socket socket;
  private final UUID reservation;
  private final String description;
  private final OpenTunnels registry;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private volatile Session session;
  private final long openedAt = System.nanoTime();

  TunnelRelay(Socket socket, UUID reservation, String description, OpenTunnels registry) {
    this.socket = socket;
    this.reservation = reservation;
    this.description = description;
    this.registry = registry;
  }

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
    registry.add(reservation, this);
    Thread.ofVirtual().name("tunnel-" + description).start(this::pumpFromServer);
    session.demand();
  }

  /** The server's bytes to the client, one message per read. */
  private void pumpFromServer() {
    byte[] buffer = new byte[CHUNK];
    try (InputStream in = socket.getInputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        // the buffer is reused once the send completes: Jetty has written it by then
        CompletableFuture<Void> sent = new CompletableFuture<>();
        session.sendBinary(
            ByteBuffer.wrap(buffer, 0, n),
            Callback.from(() -> sent.complete(null), sent::completeExceptionally));
        sent.get();
        bytesOut.addAndGet(n);
      }
      close(1000, "the server closed the connection");
    } catch (IOException | ExecutionException e) {
      close(1011, "the connection to the server failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close(1001, "the api-service is stopping");
    }
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    try {
      OutputStream out = socket.getOutputStream();
      int n = payload.remaining();
      if (payload.hasArray()) {
        out.write(payload.array(), payload.arrayOffset() + payload.position(), n);
      } else {
        byte[] copy = new byte[n];
        payload.get(copy);
        out.write(copy);
      }
      out.flush();
      bytesIn.addAndGet(n);
      callback.succeed();
      session.demand();
    } catch (IOException e) {
      callback.fail(e);
      close(1011, "the connection to the server failed");
    }
  }

  @Override
  public void onWebSocketText(String message) {
    // the protocol is binary; text frames carry nothing for the server
    session.demand();
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    finish();
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    log.debug("Tunnel {} failed: {}", description, cause.toString());
    finish();
  }

  @Override
  public void closeBecause(String reason) {
    close(RESERVATION_ENDED, reason);
  }

  private void close(int code, String reason) {
    Session s = session;
    if (s != null && s.isOpen()) {
      s.close(code, reason, Callback.NOOP);
    }
    finish();
  }

  private void finish() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    registry.remove(reservation, this);
    try {
      socket.close();
    } catch (IOException e) {
      log.debug("Closing the tunnel's socket failed: {}", e.toString());
    }
    log.info(
        "Tunnel {} closed after {} s: {} bytes to the server, {} bytes back",
        description,
        (System.nanoTime() - openedAt) / 1_000_000_000L,
        bytesIn.get(),
        bytesOut.get());
  }
}
