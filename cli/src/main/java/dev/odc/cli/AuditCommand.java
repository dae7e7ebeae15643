package dev.odc.cli;

import dev.odc.core.AuditEvent;
import dev.odc.core.api.AuditVerification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "audit",
    description = "Query the audit log (admins see everything, users their own events).",
    subcommands = AuditCommand.Verify.class,
    footer = {
      "",
      "Examples:",
      "  gpu-dev audit --since 24h",
      "  gpu-dev audit --action reservation.cancel --user alice -o csv",
      "  gpu-dev audit --follow",
      "  gpu-dev audit verify"
    })
final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--user", paramLabel = "USER", description = "Only events by this actor.")
  String user;

  @Option(
      names = "--action",
      paramLabel = "ACTION",
      description = "Only this action, e.g. reservation.create.")
  String action;

  @Option(
      names = "--resource",
      paramLabel = "TYPE[:ID]",
      description = "Only this resource type, optionally one id.")
  String resource;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      defaultValue = "24h",
      description = "Start: 30m, 24h, 7d or an ISO instant (default ${DEFAULT-VALUE}).")
  String since;

  @Option(names = "--until", paramLabel = "WHEN", description = "End: like --since.")
  String until;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100",
      description = "At most N events (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--follow", description = "Keep printing new events until Ctrl-C.")
  boolean follow;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "Poll interval for --follow (default ${DEFAULT-VALUE}).")
  double interval;

  @Option(names = "--times", paramLabel = "N", hidden = true, defaultValue = "0")
  int times;

  @Override
  public Integer call() {
    if (limit <= 0) {
      throw CliException.usage("--limit must be positive, was " + limit);
    }
    Session s = Session.of(spec, common);
    Instant now = s.root().clock().instant();
    Instant from = Fmt.since(since, now);
    Instant to = until == null ? null : Fmt.since(until, now);
    List<AuditEvent> events = fetch(s, from, to);
    print(s, events, true);
    if (follow) {
      long[] lastId = {events.stream().mapToLong(AuditEvent::id).max().orElse(0)};
      Instant[] lastAt = {
        events.stream().map(AuditEvent::at).max(Comparator.naturalOrder()).orElse(from)
      };
      Watch.repeat(
          s.out(),
          interval,
          times,
          false,
          () -> {
            List<AuditEvent> fresh = new ArrayList<>();
            for (AuditEvent e : fetch(s, lastAt[0], null)) {
              if (e.id() > lastId[0]) {
                fresh.add(e);
              }
            }
            print(s, fresh, false);
            fresh.forEach(
                e -> {
                  lastId[0] = Math.max(lastId[0], e.id());
                  lastAt[0] = e.at().isAfter(lastAt[0]) ? e.at() : lastAt[0];
                });
          });
    }
    return ExitCodes.OK;
  }

  private List<AuditEvent> fetch(Session s, Instant from, Instant to) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("actor", user);
    q.put("action", action);
    if (resource != null) {
      int colon = resource.indexOf(':');
      q.put("resourceType", colon < 0 ? resource : resource.substring(0, colon));
      q.put("resourceId", colon < 0 ? null : resource.substring(colon + 1));
    }
    q.put("since", from);
    q.put("until", to);
    q.put("limit", limit);
    List<AuditEvent> events =
        new ArrayList<>(s.api().listAll("/v1/audit" + ApiClient.query(q), AuditEvent.class, limit));
    events.sort(Comparator.comparingLong(AuditEvent::id));
    return events;
  }

  private void print(Session s, List<AuditEvent> events, boolean header) {
    switch (common.output()) {
      case json -> {
        if (header || !events.isEmpty()) {
          s.printJson(events);
        }
      }
      case csv -> {
        Table t = table(events);
        if (header) {
          t.printCsv(s.out());
        } else {
          // Follow mode: rows only, so the output stays one CSV document.
          java.io.StringWriter buf = new java.io.StringWriter();
          t.printCsv(new java.io.PrintWriter(buf));
          String text = buf.toString();
          s.out().print(text.substring(text.indexOf('\n') + 1));
          s.out().flush();
        }
      }
      case table -> {
        if (events.isEmpty()) {
          if (header) {
            s.out().println("No audit events.");
            s.out().flush();
          }
          return;
        }
        table(events).print(s.out());
      }
    }
  }

  private static Table table(List<AuditEvent> events) {
    Table t = new Table("ID", "AT", "ACTOR", "ACTION", "RESOURCE", "OUTCOME");
    for (AuditEvent e : events) {
      t.row(
          e.id(),
          e.at().toString(),
          e.actor(),
          e.action(),
          e.resourceType() + (e.resourceId() == null ? "" : ":" + e.resourceId()),
          e.outcome());
    }
    return t;
  }

  @Command(name = "verify", description = "Check the audit log's hash chain (admins).")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      AuditVerification v = s.api().get("/v1/audit/verify", AuditVerification.class);
      if (common.json()) {
        s.printJson(v);
      } else if (v.intact()) {
        s.out().println("Audit chain intact: " + v.rowsChecked() + " rows checked.");
      } else {
        s.out()
            .println(
                "Audit chain BROKEN at row "
                    + v.firstBrokenId()
                    + (v.reason() == null ? "" : ": " + v.reason())
                    + " ("
                    + v.rowsChecked()
                    + " rows checked).");
      }
      s.out().flush();
      return v.intact() ? ExitCodes.OK : ExitCodes.ERROR;
    }
  }
}
