package dev.odc.api.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

  private static final int CHUNK = 64 * 1024;
  private static final int IN_FLIGHT = 4;

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

  /**
   * The server's bytes to the client, one message per read. A few messages may be in flight at once
   * (each with its own buffer), so a long-distance client still sees the server's full throughput;
   * beyond that the read waits, which pushes back on the server through TCP.
   */
  private void pumpFromServer() {
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    try (InputStream in = socket.getInputStream()) {
      while (true) {
        byte[] buffer = new byte[CHUNK];
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        inFlight.acquire();
        if (failed.get() != null) {
          throw new IOException("sending to the client failed", failed.get());
        }
        session.sendBinary(
            ByteBuffer.wrap(buffer, 0, n),
            Callback.from(
                inFlight::release,
                e -> {
                  failed.set(e);
                  inFlight.release();
                }));
        bytesOut.addAndGet(n);
      }
      // everything sent before the close frame
      inFlight.acquire(IN_FLIGHT);
      close(1000, "the server closed the connection");
    } catch (IOException e) {
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
