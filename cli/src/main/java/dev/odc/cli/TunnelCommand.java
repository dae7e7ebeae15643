package dev.odc.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "tunnel",
    description = {
      "Connect stdin and stdout to a port of an active reservation, through the ODC API.",
      "Made for ssh's ProxyCommand; `gpu-dev ssh` and `gpu-dev ssh-config` use it."
    },
    footer = {
      "",
      "Examples:",
      "  ssh -o ProxyCommand='gpu-dev tunnel 1a2b3c4d' dev@odc-1a2b3c4d",
      "  gpu-dev tunnel 1a2b3c4d --port 8888"
    })
final class TunnelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Mixin ServerTarget target;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port on the server (default 22, its sshd).")
  int port = 22;

  @Override
  public Integer call() throws InterruptedException {
    Session s = Session.of(spec, common);
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    TunnelClient tunnel = TunnelClient.open(s, target.id, target.node, port, stdout);
    Thread sender =
        Thread.ofPlatform().name("tunnel-stdin").daemon().start(() -> pump(tunnel, System.in, s));
    TunnelClient.Close close = tunnel.awaitClose();
    sender.interrupt();
    tunnel.close();
    if (close.normal()) {
      return ExitCodes.OK;
    }
    throw new CliException(
        ExitCodes.ERROR,
        "the tunnel to "
            + target.id
            + " closed"
            + (close.reason().isBlank() ? "" : ": " + close.reason()));
  }

  private static void pump(TunnelClient tunnel, InputStream in, Session s) {
    try {
      tunnel.sendAll(in);
    } catch (IOException e) {
      if (!tunnel.isClosed()) {
        s.err().println("gpu-dev: " + e.getMessage());
        s.err().flush();
        tunnel.close();
      }
    }
  }
}
