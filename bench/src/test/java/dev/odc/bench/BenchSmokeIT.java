package dev.odc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the in-JVM benchmarks still run: quick mode of figures 3 to 6 (real embedded PostgreSQL,
 * fabric8 mock server, the processor, the cronjobs' jobs and the api-service's verifier). Figures
 * 1, 2 and 7 need pgbench, the API and the CLI jar; bin/bench runs them. No timing is asserted.
 */
class BenchSmokeIT {
  @TempDir Path dir;

  @Test
  void quickModeGivesEveryFigureAValueAndABaseline() throws Exception {
    Path json = dir.resolve("latest.json");
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Report report;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      report =
          BenchMain.run(
              new String[] {"--quick", "--only", "3,4,5,6", "--out", json.toString()}, out);
    }
    String printed = buffer.toString(StandardCharsets.UTF_8);

    assertThat(report.failures()).as(printed).isEmpty();
    assertThat(report.figures())
        .extracting(Figure::id)
        .as(printed)
        .containsExactlyInAnyOrder("3a", "3b", "4", "5", "6", "6c");
    assertThat(report.figures())
        .allSatisfy(
            f -> {
              assertThat(f.value()).as(f.title()).isPositive();
              assertThat(f.baseline()).as(f.title() + " baseline").isPositive();
            });
    assertThat(printed).contains("ODC benchmarks", "Availability, 2,000 nodes");
    String written = Files.readString(json);
    assertThat(written).contains("\"cores\"", "\"figures\"", "\"baseline\"");
  }
}
