package dev.odc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.core.api.Availability;
import dev.odc.core.api.ErrorResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Loads what a typical run loads (every command's picocli model, Jackson with the ODC records)
 * without touching the network, so that {@code bin/gpu-dev} can dump an AppCDS archive of those
 * classes once ({@code -XX:ArchiveClassesAtExit}) and start from it afterwards.
 */
final class CdsTraining {
  static final String FLAG = "--cds-training";

  private CdsTraining() {}

  static void run() {
    PrintWriter sink = new PrintWriter(new StringWriter());
    GpuDev root =
        new GpuDev(
            Map.of("XDG_CONFIG_HOME", System.getProperty("java.io.tmpdir")), Clock.systemUTC());
    GpuDev.commandLine(root, sink, sink).execute("--help");
    for (Class<?> type : GpuDev.SUBCOMMANDS) {
      GpuDev.run(
          root, sink, sink, type.getAnnotation(picocli.CommandLine.Command.class).name(), "--help");
    }
    ObjectMapper mapper = Json.newMapper();
    Instant now = Instant.now();
    Reservation r =
        new Reservation(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "cds",
            "cds",
            "gpu",
            1,
            1,
            null,
            1,
            null,
            Map.of(),
            ReservationStatus.ACTIVE,
            null,
            null,
            null,
            null,
            null,
            null,
            "h",
            22,
            now,
            now,
            now,
            null,
            List.of(),
            List.of(new StatusChange(ReservationStatus.ACTIVE, now, "cds", null)),
            0);
    try {
      mapper.readValue(mapper.writeValueAsString(r), Reservation.class);
      mapper.readValue(
          mapper.writeValueAsString(new Availability(List.of(), now, false)), Availability.class);
      mapper.readValue("{\"code\":\"NOT_FOUND\",\"message\":\"x\"}", ErrorResponse.class);
      mapper.readTree("{\"items\":[],\"nextCursor\":null}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Reservations.table(sink, List.of(r), true);
    Reservations.details(sink, r);
  }
}
