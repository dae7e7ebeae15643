package dev.odc.cli;

import dev.odc.core.Reservation;
import dev.odc.core.StatusChange;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/** How reservations look in tables and in {@code show}. */
final class Reservations {
  private Reservations() {}

  static void table(PrintWriter out, List<Reservation> list, boolean withUser) {
    Table t =
        withUser
            ? new Table("ID", "USER", "NAME", "STATUS", "GPUS", "TYPE", "HOURS", "EXPIRES", "SSH")
            : new Table("ID", "NAME", "STATUS", "GPUS", "TYPE", "HOURS", "EXPIRES", "SSH");
    for (Reservation r : list) {
      String gpus =
          r.nodeCount() > 1 ? r.nodeCount() + "x" + r.gpuCount() : String.valueOf(r.gpuCount());
      String ssh = r.sshCommand();
      if (withUser) {
        t.row(
            r.shortId(),
            r.username(),
            r.name(),
            status(r),
            gpus,
            r.gpuType(),
            Fmt.hours(r.hours()),
            Fmt.time(r.expiresAt()),
            ssh);
      } else {
        t.row(
            r.shortId(),
            r.name(),
            status(r),
            gpus,
            r.gpuType(),
            Fmt.hours(r.hours()),
            Fmt.time(r.expiresAt()),
            ssh);
      }
    }
    if (t.isEmpty()) {
      out.println("No reservations.");
      out.flush();
      return;
    }
    t.print(out);
  }

  /**
   * Why a reservation has no disk when the API chose none for it (the default disk was held or
   * could not be created): the reason of its first status change.
   */
  static Optional<String> diskNote(Reservation r) {
    if (r.diskName() != null || r.statusHistory().isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(r.statusHistory().get(0).reason())
        .filter(reason -> reason.startsWith("no disk:"));
  }

  static String status(Reservation r) {
    if (r.queuePosition() != null && r.status().name().equals("QUEUED")) {
      return "QUEUED #" + r.queuePosition();
    }
    return r.status().name();
  }

  static void details(PrintWriter out, Reservation r) {
    out.println("id:        " + r.id());
    out.println("name:      " + r.name());
    out.println("user:      " + r.username());
    out.println(
        "status:    "
            + status(r)
            + (r.failureReason() == null ? "" : " (" + r.failureReason() + ")"));
    out.println(
        "gpus:      "
            + r.gpuCount()
            + " x "
            + r.gpuType()
            + (r.nodeCount() > 1 ? " on " + r.nodeCount() + " nodes" : ""));
    out.println("hours:     " + Fmt.hours(r.hours()));
    if (r.image() != null) {
      out.println("image:     " + r.image());
    }
    out.println(
        "disk:      "
            + (r.diskName() == null
                ? diskNote(r).map(n -> "none (" + n + ")").orElse("none")
                : r.diskName()));
    if (!r.labels().isEmpty()) {
      out.println("labels:    " + r.labels());
    }
    out.println("created:   " + Fmt.time(r.createdAt()));
    if (r.estimatedStartAt() != null) {
      out.println("eta:       " + Fmt.time(r.estimatedStartAt()));
    }
    if (r.startedAt() != null) {
      out.println("started:   " + Fmt.time(r.startedAt()));
    }
    if (r.expiresAt() != null) {
      out.println("expires:   " + Fmt.time(r.expiresAt()));
    }
    if (r.endedAt() != null) {
      out.println("ended:     " + Fmt.time(r.endedAt()));
    }
    if (r.sshCommand() != null) {
      out.println("ssh:       " + r.sshCommand());
    }
    if (!r.statusHistory().isEmpty()) {
      out.println("history:");
      for (StatusChange c : r.statusHistory()) {
        out.println(
            "  "
                + Fmt.time(c.at())
                + "  "
                + c.status()
                + "  by "
                + c.actor()
                + (c.reason() == null ? "" : "  (" + c.reason() + ")"));
      }
    }
    out.flush();
  }

  /** The path of one reservation; the API accepts a full id or a unique 8-character prefix. */
  static String path(String id) {
    if (id == null || !id.matches("[0-9a-fA-F-]{8,36}")) {
      throw CliException.usage(
          "'" + id + "' is not a reservation id: give the full id or its first 8 characters");
    }
    return "/v1/reservations/" + id.toLowerCase(java.util.Locale.ROOT);
  }
}
