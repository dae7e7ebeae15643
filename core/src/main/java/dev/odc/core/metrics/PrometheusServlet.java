package dev.odc.core.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Dropwizard metrics in the Prometheus text exposition format (version 0.0.4): counters and
 * gauges as they are, meters as totals, timers and histograms as summaries (quantiles in seconds
 * for timers).
 */
public class PrometheusServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private final transient MetricRegistry registry;

  public PrometheusServlet(MetricRegistry registry) {
    this.registry = registry;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
    resp.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
    try (PrintWriter out = resp.getWriter()) {
      write(registry, out);
    }
  }

  /** Writes every metric of {@code registry}. */
  public static void write(MetricRegistry registry, PrintWriter out) {
    for (Map.Entry<String, Gauge> e : registry.getGauges().entrySet()) {
      Object value = e.getValue().getValue();
      double number;
      if (value instanceof Number n) {
        number = n.doubleValue();
      } else if (value instanceof Boolean b) {
        number = b ? 1 : 0;
      } else {
        continue;
      }
      String name = sanitize(e.getKey());
      out.printf("# TYPE %s gauge%n%s %s%n", name, name, format(number));
    }
    for (Map.Entry<String, Counter> e : registry.getCounters().entrySet()) {
      String name = sanitize(e.getKey());
      out.printf("# TYPE %s gauge%n%s %d%n", name, name, e.getValue().getCount());
    }
    for (Map.Entry<String, Meter> e : registry.getMeters().entrySet()) {
      String name = sanitize(e.getKey()) + "_total";
      out.printf("# TYPE %s counter%n%s %d%n", name, name, e.getValue().getCount());
    }
    double secondsPerNano = 1.0 / TimeUnit.SECONDS.toNanos(1);
    for (Map.Entry<String, Timer> e : registry.getTimers().entrySet()) {
      summary(
          out,
          sanitize(e.getKey()) + "_seconds",
          e.getValue().getSnapshot(),
          e.getValue().getCount(),
          secondsPerNano);
    }
    for (Map.Entry<String, Histogram> e : registry.getHistograms().entrySet()) {
      summary(out, sanitize(e.getKey()), e.getValue().getSnapshot(), e.getValue().getCount(), 1.0);
    }
  }

  private static void summary(
      PrintWriter out, String name, Snapshot snapshot, long count, double factor) {
    out.printf("# TYPE %s summary%n", name);
    double[] quantiles = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};
    for (double q : quantiles) {
      out.printf(
          "%s{quantile=\"%s\"} %s%n", name, format(q), format(snapshot.getValue(q) * factor));
    }
    out.printf("%s_count %d%n", name, count);
  }

  static String sanitize(String name) {
    String cleaned = name.replaceAll("[^a-zA-Z0-9_:]", "_");
    return Character.isDigit(cleaned.charAt(0)) ? "_" + cleaned : cleaned;
  }

  private static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    return String.format(Locale.ROOT, "%s", value);
  }
}
