package dev.odc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.odc.core.Disk;
import dev.odc.core.ErrorCode;
import dev.odc.core.GpuType;
import dev.odc.core.Json;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.Role;
import dev.odc.core.StatusChange;
import dev.odc.core.api.Availability;
import dev.odc.core.api.ErrorResponse;
import dev.odc.core.api.Me;
import dev.odc.core.api.Page;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * The training run behind {@code bin/gpu-dev}'s start-up cache (the JDK's AOT cache on JDK 24+, an
 * AppCDS archive before): runs real commands the way users do, so that the classes, linked call
 * sites and profiles they need are what the cache holds.
 *
 * <p>The commands talk HTTP and JSON to a loopback stand-in of the API that this class starts on an
 * ephemeral port; nothing leaves the machine. They run with an environment of their own (a
 * temporary config directory, a made-up API key), never the user's: no token or setting of the user
 * is read or written.
 */
final class StartupTraining {
  static final String FLAG = "--startup-training";

  /** A command line and the exit code it must end with. */
  record Step(int expectedExit, List<String> args) {
    Step(int expectedExit, String... args) {
      this(expectedExit, List.of(args));
    }
  }

  /** What a step did, for the caller to check. */
  record Outcome(Step step, int exitCode) {
    boolean ok() {
      return exitCode == step.expectedExit();
    }
  }

  private StartupTraining() {}

  /** Runs every step; returns false (and says which) when one ended with another exit code. */
  static boolean run(PrintWriter log) {
    List<Outcome> outcomes = runAll();
    boolean ok = true;
    for (Outcome o : outcomes) {
      if (!o.ok()) {
        log.println(
            "startup training: `gpu-dev "
                + String.join(" ", o.step().args())
                + "` exited "
                + o.exitCode()
                + ", expected "
                + o.step().expectedExit());
        ok = false;
      }
    }
    log.flush();
    return ok;
  }

  static List<Outcome> runAll() {
    ObjectMapper mapper = Json.newMapper();
    Instant now = Instant.now();
    Reservation active = reservation("train", ReservationStatus.ACTIVE, now);
    Reservation queued = reservation("eval", ReservationStatus.QUEUED, now);
    Path home;
    try {
      home = Files.createTempDirectory("gpu-dev-training");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpServer server = stub(mapper, now, List.of(active, queued));
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      GpuDev root =
          new GpuDev(
              Map.of(
                  "HOME",
                  home.toString(),
                  "XDG_CONFIG_HOME",
                  home.toString(),
                  "GPU_DEV_API_URL",
                  url,
                  "GPU_DEV_API_KEY",
                  "odc_training_not_a_key"),
              Clock.systemUTC());
      List<Outcome> outcomes = new ArrayList<>();
      for (Step step : steps(active)) {
        StringWriter buffer = new StringWriter();
        PrintWriter sink = new PrintWriter(buffer);
        int code = GpuDev.run(root, sink, sink, step.args().toArray(String[]::new));
        outcomes.add(new Outcome(step, code));
      }
      return outcomes;
    } finally {
      server.stop(0);
      deleteTree(home);
    }
  }

  /** The command lines: the common ones with each output format, help, and the error paths. */
  static List<Step> steps(Reservation known) {
    List<Step> steps = new ArrayList<>();
    steps.add(new Step(ExitCodes.OK, "--help"));
    for (Class<?> type : GpuDev.SUBCOMMANDS) {
      steps.add(new Step(ExitCodes.OK, type.getAnnotation(Command.class).name(), "--help"));
    }
    steps.add(new Step(ExitCodes.OK, "list", "-o", "json"));
    steps.add(new Step(ExitCodes.OK, "list"));
    steps.add(new Step(ExitCodes.OK, "list", "--all", "--status", "ACTIVE"));
    steps.add(new Step(ExitCodes.OK, "show", known.shortId()));
    steps.add(new Step(ExitCodes.OK, "show", known.id().toString(), "-o", "json"));
    steps.add(new Step(ExitCodes.OK, "avail"));
    steps.add(new Step(ExitCodes.OK, "avail", "-o", "json"));
    steps.add(new Step(ExitCodes.OK, "whoami"));
    steps.add(new Step(ExitCodes.OK, "disk", "list"));
    steps.add(new Step(ExitCodes.NOT_FOUND, "show", "0000aaaa"));
    steps.add(new Step(ExitCodes.USAGE, "list", "--status", "NOPE"));
    steps.add(new Step(ExitCodes.USAGE, "no-such-command"));
    return steps;
  }

  private static HttpServer stub(ObjectMapper mapper, Instant now, List<Reservation> live) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GpuType h100 = new GpuType("h100", "h100", 8, 96, 1024, 16, 8, 8, 1, 8, 1, 0, now);
    Availability availability = new Availability(List.of(h100), now, true);
    Me me =
        new Me(
            live.get(0).userId(),
            "training",
            "training@example.invalid",
            Set.of(Role.USER),
            new Me.Quota(8, 24, 100, 4),
            new Me.Usage(1, live.size(), 1));
    Disk disk =
        new Disk(
            UUID.randomUUID(),
            live.get(0).userId(),
            "data",
            100,
            "standard",
            "zone-a",
            "pvc-data",
            null,
            null,
            false,
            now,
            null);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Object body;
            int status = 200;
            if (path.equals("/v1/reservations")) {
              body = new Page<>(live, null);
            } else if (path.startsWith("/v1/reservations/")) {
              String id = path.substring("/v1/reservations/".length());
              body =
                  live.stream()
                      .filter(r -> r.id().toString().startsWith(id))
                      .findFirst()
                      .<Object>map(r -> r)
                      .orElse(null);
            } else if (path.equals("/v1/availability")) {
              body = availability;
            } else if (path.equals("/v1/me")) {
              body = me;
            } else if (path.equals("/v1/disks")) {
              body = new Page<>(List.of(disk), null);
            } else {
              body = null;
            }
            if (body == null) {
              status = 404;
              body = ErrorResponse.of(ErrorCode.NOT_FOUND, "no such resource: " + path);
            }
            send(exchange, status, mapper.writeValueAsBytes(body));
          }
        });
    server.start();
    return server;
  }

  private static void send(HttpExchange exchange, int status, byte[] json) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, json.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(json);
    }
  }

  private static Reservation reservation(String name, ReservationStatus status, Instant now) {
    boolean active = status == ReservationStatus.ACTIVE;
    return new Reservation(
        UUID.randomUUID(),
        UUID.nameUUIDFromBytes("training".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        "training",
        name,
        "h100",
        2,
        1,
        "registry.example.com/odc/devserver:latest",
        4,
        active ? "data" : null,
        Map.of("team", "training"),
        status,
        null,
        active ? null : 1,
        active ? null : now.plusSeconds(600),
        "odc-training",
        active ? "pod-" + name : null,
        active ? "node-1" : null,
        active ? "127.0.0.1" : null,
        active ? 22 : null,
        now,
        active ? now : null,
        active ? now.plusSeconds(4 * 3600) : null,
        null,
        List.of(),
        List.of(new StatusChange(status, now, "training", null)),
        1);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temporary directory left behind is harmless; the training itself succeeded.
    }
  }
}
