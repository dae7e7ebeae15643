package dev.odc.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odc.core.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects figures, prints them as a table and writes them as JSON with the machine's facts. */
public final class Report {
  private final List<Figure> figures = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final boolean quick;

  public Report(boolean quick) {
    this.quick = quick;
  }

  public synchronized void add(Figure figure) {
    figures.add(figure);
  }

  public synchronized void failed(String benchmark, Exception e) {
    failures.add(benchmark + ": " + e);
  }

  public synchronized List<Figure> figures() {
    return List.copyOf(figures);
  }

  public synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  public synchronized void printTable(PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%nODC benchmarks%s — %d cores, JDK %s%n",
        quick ? " (quick smoke mode: figures are not meaningful)" : "",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version());
    String format = "%-44s %14s %-8s %14s %-26s %8s  %-22s %s%n";
    out.printf(
        Locale.ROOT,
        format,
        "figure",
        "value",
        "unit",
        "baseline",
        "(baseline is)",
        "ratio",
        "target",
        "");
    for (Figure f : figures) {
      out.printf(
          Locale.ROOT,
          format,
          f.title(),
          number(f.value()),
          f.unit(),
          number(f.baseline()),
          f.baselineName(),
          String.format(Locale.ROOT, "%.2f", f.ratio()),
          f.target(),
          f.met() ? "met" : "MISSED");
      if (!f.note().isEmpty()) {
        out.printf(Locale.ROOT, "    %s%n", f.note());
      }
    }
    for (String failure : failures) {
      out.printf(Locale.ROOT, "FAILED %s%n", failure);
    }
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  public synchronized void writeJson(Path file) throws IOException {
    ObjectMapper mapper = Json.newMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("at", Instant.now().toString());
    root.put("quick", quick);
    ObjectNode machine = root.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("jdk", Runtime.version().toString());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    machine.put("vm", ManagementFactory.getRuntimeMXBean().getVmName());
    ArrayNode list = root.putArray("figures");
    for (Figure f : figures) {
      ObjectNode node = mapper.valueToTree(f);
      node.put("ratio", f.ratio());
      list.add(node);
    }
    ArrayNode failed = root.putArray("failures");
    failures.forEach(failed::add);
    Files.createDirectories(file.toAbsolutePath().getParent());
    mapper.writeValue(file.toFile(), root);
  }
}
