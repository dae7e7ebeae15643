package dev.odc.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusServletTest {

  private static String exposition(MetricRegistry registry) {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      PrometheusServlet.write(registry, out);
    }
    return text.toString();
  }

  @Test
  void writesEachKindOfMetricInTheTextFormat() {
    MetricRegistry registry = new MetricRegistry();
    registry.counter("odc.queue.depth").inc(3);
    registry.register("jvm.ready", (Gauge<Boolean>) () -> true);
    registry.register("jvm.name", (Gauge<String>) () -> "not a number");
    registry.meter("reservations.created").mark(5);
    registry.timer("reserve.to-pod").update(250, TimeUnit.MILLISECONDS);
    registry.histogram("batch.size").update(7);

    String text = exposition(registry);

    assertThat(text)
        .contains("# TYPE odc_queue_depth gauge\nodc_queue_depth 3\n")
        .contains("# TYPE jvm_ready gauge\njvm_ready 1.0\n")
        .contains("# TYPE reservations_created_total counter\nreservations_created_total 5\n")
        .contains("# TYPE reserve_to_pod_seconds summary\n")
        .contains("reserve_to_pod_seconds{quantile=\"0.5\"} 0.25\n")
        .contains("reserve_to_pod_seconds_count 1\n")
        .contains("batch_size{quantile=\"0.99\"} 7.0\n")
        .contains("batch_size_count 1\n")
        // a gauge whose value is not a number has no Prometheus form and is left out
        .doesNotContain("jvm_name");
  }

  @Test
  void namesAreMadeLegalForPrometheus() {
    assertThat(PrometheusServlet.sanitize("io.dropwizard.jetty-requests"))
        .isEqualTo("io_dropwizard_jetty_requests");
    assertThat(PrometheusServlet.sanitize("5xx.responses")).isEqualTo("_5xx_responses");
    assertThat(PrometheusServlet.sanitize("ok_name:sub")).isEqualTo("ok_name:sub");
  }
}
