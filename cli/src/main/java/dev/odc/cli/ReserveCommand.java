package dev.odc.cli;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.api.CreateReservationRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "reserve",
    description = {
      "Reserve GPUs for a development server.",
      "With --wait (the default on a terminal) it shows the queue position and ETA, the current"
          + " step, and finally the ssh command. Ctrl-C asks whether to cancel or stop watching."
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev reserve -g 1 -t a100 -H 2",
      "  gpu-dev reserve -g 8 -t h100 --nodes 2 -H 8 -n big-run --disk none",
      "  gpu-dev reserve -g 2 -t h100 -H 4 --label team=vision --no-wait -o json"
    })
final class ReserveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(
      names = {"-g", "--gpus"},
      paramLabel = "N",
      description = "GPUs per node (default: config default.gpus, else 1).")
  Integer gpus;

  @Option(
      names = {"-t", "--gpu-type"},
      paramLabel = "TYPE",
      description = "GPU type, see `gpu-dev avail` (default: config default.gpu-type).")
  String gpuType;

  @Option(
      names = {"-H", "--hours"},
      paramLabel = "HOURS",
      description = "How long, e.g. 4 or 0.5 (default: config default.hours, else 1).")
  Double hours;

  @Option(
      names = {"-n", "--name"},
      paramLabel = "NAME",
      description = "A name (lower-case letters, digits, '-').")
  String name;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      description = "Nodes for a multi-node reservation (default 1).")
  Integer nodes;

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      description = "Container image (default: the platform's).")
  String image;

  @Option(
      names = "--disk",
      paramLabel = "NAME|none",
      description = "Home disk to attach, or none (default: your default disk).")
  String disk;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label; repeat for more.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--wait",
      negatable = true,
      description = "Wait until the server is ready (default: on when stdout is a terminal).")
  Boolean wait;

  @Option(names = "--poll-interval", paramLabel = "SECONDS", hidden = true, defaultValue = "3")
  double pollSeconds;

  @Override
  public Integer call() {
    Session s = Session.of(spec, common);
    ConfigStore cfg = s.config();
    String type = gpuType != null ? gpuType : cfg.setting("default.gpu-type").orElse(null);
    if (type == null) {
      throw CliException.usage(
          "give a GPU type with -t (see `gpu-dev avail`), or `gpu-dev config set default.gpu-type TYPE`");
    }
    CreateReservationRequest request =
        new CreateReservationRequest(
            type,
            gpus != null
                ? gpus
                : cfg.setting("default.gpus").map(v -> parseInt(v, "default.gpus")).orElse(1),
            nodes,
            hours != null
                ? hours
                : cfg.setting("default.hours")
                    .map(v -> parseDouble(v, "default.hours"))
                    .orElse(1.0),
            name,
            image != null ? image : cfg.setting("default.image").orElse(null),
            disk != null ? disk : cfg.setting("default.disk").orElse(null),
            labels);
    Reservation r = s.api().post("/v1/reservations", request, Reservation.class);
    boolean doWait = wait != null ? wait : Terminal.isTerminal();
    if (!doWait) {
      print(s, r);
      return ExitCodes.OK;
    }
    if (!common.json()) {
      s.err().println("Reservation " + r.shortId() + " created (" + r.status() + ").");
      Reservations.diskNote(r).ifPresent(n -> s.err().println("Note: " + n));
      s.err().flush();
    }
    return watch(s, r);
  }

  private void print(Session s, Reservation r) {
    if (common.json()) {
      s.printJson(r);
    } else {
      s.out()
          .println(
              "Reservation "
                  + r.shortId()
                  + " "
                  + r.status()
                  + ": "
                  + r.totalGpus()
                  + " x "
                  + r.gpuType()
                  + " for "
                  + Fmt.hours(r.hours())
                  + " h");
      s.out().println("disk: " + (r.diskName() == null ? "none" : r.diskName()));
      Reservations.diskNote(r).ifPresent(n -> s.out().println("Note: " + n));
      s.out().println("Follow it with: gpu-dev show " + r.shortId());
      s.out().flush();
    }
  }

  private int watch(Session s, Reservation start) {
    AtomicBoolean interrupted = new AtomicBoolean();
    Runnable restore = Terminal.onInterrupt(() -> interrupted.set(true));
    StatusLine line = new StatusLine(s.err(), Terminal.isTerminal());
    Reservation r = start;
    try {
      while (true) {
        if (r.status() == ReservationStatus.ACTIVE) {
          line.done("Ready.");
          if (common.json()) {
            s.printJson(r);
          } else {
            s.out()
                .println(
                    r.sshCommand() == null
                        ? "Active; ssh details pending: gpu-dev show " + r.shortId()
                        : r.sshCommand());
            s.out().flush();
          }
          return ExitCodes.OK;
        }
        if (r.status().isTerminal()) {
          line.done("");
          String why = r.failureReason() == null ? "" : ": " + r.failureReason();
          throw new CliException(
              ExitCodes.ERROR, "reservation " + r.shortId() + " ended " + r.status() + why);
        }
        line.show(describe(r, s.root().clock().instant()));
        if (sleepOrInterrupted(interrupted)) {
          line.done("");
          if (askCancel(s, r)) {
            s.api().post(Reservations.path(r.id().toString()) + "/cancel", null, Reservation.class);
            s.out().println("Cancelled " + r.shortId() + ".");
          } else {
            s.out()
                .println(
                    "Stopped watching; "
                        + r.shortId()
                        + " stays "
                        + r.status()
                        + ". Follow it with: gpu-dev show "
                        + r.shortId());
          }
          s.out().flush();
          return ExitCodes.OK;
        }
        r = s.api().get(Reservations.path(r.id().toString()), Reservation.class);
      }
    } finally {
      restore.run();
    }
  }

  static String describe(Reservation r, Instant now) {
    return switch (r.status()) {
      case QUEUED -> {
        StringBuilder sb = new StringBuilder("Queued");
        if (r.queuePosition() != null) {
          sb.append(", position ").append(r.queuePosition());
        }
        if (r.estimatedStartAt() != null) {
          long secs = Math.max(0, Duration.between(now, r.estimatedStartAt()).toSeconds());
          sb.append(", ETA ").append(Fmt.duration(secs));
        }
        yield sb.toString();
      }
      case PREPARING -> {
        String step =
            r.statusHistory().isEmpty()
                ? null
                : r.statusHistory().get(r.statusHistory().size() - 1).reason();
        yield "Preparing" + (step == null ? "" : ": " + step);
      }
      default ->
          r.status().name().charAt(0) + r.status().name().substring(1).toLowerCase(Locale.ROOT);
    };
  }

  private boolean sleepOrInterrupted(AtomicBoolean interrupted) {
    long until = System.nanoTime() + (long) (pollSeconds * 1_000_000_000L);
    while (System.nanoTime() < until) {
      if (interrupted.get()) {
        return true;
      }
      try {
        // Short naps keep Ctrl-C responsive while polling the API at a polite rate.
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
    return interrupted.get();
  }

  private static boolean askCancel(Session s, Reservation r) {
    s.err().print("Cancel reservation " + r.shortId() + "? [y/N] (N keeps it and stops watching) ");
    s.err().flush();
    try {
      String answer =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y");
    } catch (IOException e) {
      return false;
    }
  }

  private static int parseInt(String v, String key) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw CliException.usage("config " + key + " is not a whole number: " + v);
    }
  }

  private static double parseDouble(String v, String key) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      throw CliException.usage("config " + key + " is not a number: " + v);
    }
  }

  /** One line that rewrites itself on a terminal and prints only changes elsewhere. */
  static final class StatusLine {
    private final PrintWriter err;
    private final boolean terminal;
    private String last = "";

    StatusLine(PrintWriter err, boolean terminal) {
      this.err = err;
      this.terminal = terminal;
    }

    void show(String text) {
      if (text.equals(last)) {
        return;
      }
      if (terminal) {
        err.print("\r\033[2K" + text);
      } else {
        err.println(text);
      }
      err.flush();
      last = text;
    }

    void done(String text) {
      if (terminal) {
        err.print("\r\033[2K");
        if (!text.isEmpty()) {
          err.println(text);
        }
      } else if (!text.isEmpty()) {
        err.println(text);
      }
      err.flush();
      last = "";
    }
  }
}
