package dev.odc.cli;

import dev.odc.core.Reservation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "port-forward",
    description = {
      "Forward a local port to a port of an active reservation (Jupyter, TensorBoard, a debugger)",
      "through the ODC API: listens on 127.0.0.1:LOCAL and carries each connection over its own",
      "tunnel. Runs until Ctrl-C or until the reservation ends."
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev port-forward 1a2b3c4d 8888            # Jupyter on http://127.0.0.1:8888",
      "  gpu-dev port-forward 1a2b3c4d 16006:6006      # TensorBoard",
      "  gpu-dev port-forward 1a2b3c4d 0:8888          # any free local port (printed)"
    })
final class PortForwardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Mixin ServerTarget target;

  @Parameters(
      index = "1",
      paramLabel = "LOCAL[:REMOTE]",
      description = "Local port (0: any free one) and the server's port (default: the same).")
  String ports;

  @Override
  public Integer call() throws IOException {
    Session s = Session.of(spec, common);
    int local;
    int remote;
    try {
      String[] parts = ports.split(":", 2);
      local = Integer.parseInt(parts[0]);
      remote = parts.length == 2 ? Integer.parseInt(parts[1]) : local;
    } catch (NumberFormatException e) {
      throw CliException.usage("'" + ports + "' is not LOCAL[:REMOTE], e.g. 8888 or 16006:6006");
    }
    if (local < 0
        || local > 65535
        || remote < 1
        || remote > 65535
        || (local == 0 && !ports.contains(":"))) {
      throw CliException.usage("ports must be 1-65535 (LOCAL may be 0 when REMOTE is given)");
    }
    Reservation r = SshCommand.active(s, target.id);
    String full = r.id().toString();
    AtomicReference<CliException> fatal = new AtomicReference<>();
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), local));
      s.out()
          .println(
              "Forwarding 127.0.0.1:"
                  + server.getLocalPort()
                  + " to port "
                  + remote
                  + " of "
                  + r.shortId()
                  + (target.node == 0 ? "" : " node " + target.node)
                  + " (Ctrl-C stops).");
      s.out().flush();
      while (fatal.get() == null) {
        Socket connection = server.accept();
        Thread.ofVirtual()
            .name("forward-" + connection.getPort())
            .start(() -> carry(s, full, remote, connection, server, fatal));
      }
    } catch (IOException e) {
      if (fatal.get() == null) {
        throw new CliException(
            ExitCodes.ERROR, "cannot listen on 127.0.0.1:" + local + ": " + e.getMessage(), e);
      }
    }
    throw fatal.get();
  }

  /** One local connection over its own tunnel; a refusal that will not change stops the forward. */
  private void carry(
      Session s,
      String reservation,
      int remote,
      Socket connection,
      ServerSocket server,
      AtomicReference<CliException> fatal) {
    try (connection) {
      connection.setTcpNoDelay(true);
      try (TunnelClient tunnel =
          TunnelClient.open(s, reservation, target.node, remote, connection.getOutputStream())) {
        Thread.ofVirtual().start(() -> sendQuietly(tunnel, connection));
        TunnelClient.Close close = tunnel.awaitClose();
        if (close.code() == 4001) {
          stop(fatal, server, new CliException(ExitCodes.ERROR, close.reason()));
        }
      }
    } catch (CliException e) {
      if (e.exitCode() == ExitCodes.NOT_FOUND
          || e.exitCode() == ExitCodes.AUTH_NEEDED
          || e.getMessage().contains("ACTIVE")) {
        stop(fatal, server, e);
      } else {
        s.err().println("gpu-dev: connection refused: " + e.getMessage());
        s.err().flush();
      }
    } catch (IOException e) {
      s.err().println("gpu-dev: connection failed: " + e.getMessage());
      s.err().flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sendQuietly(TunnelClient tunnel, Socket connection) {
    try {
      tunnel.sendAll(connection.getInputStream());
    } catch (IOException e) {
      tunnel.close();
    }
  }

  private static void stop(
      AtomicReference<CliException> fatal, ServerSocket server, CliException reason) {
    if (fatal.compareAndSet(null, reason)) {
      try {
        server.close();
      } catch (IOException e) {
        // closing only wakes the accept loop; it is stopping either way
      }
    }
  }
}
