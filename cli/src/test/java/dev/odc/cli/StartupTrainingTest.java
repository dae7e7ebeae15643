package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training run behind the launcher's start-up cache does what a user's commands do. */
class StartupTrainingTest {
  @Test
  void everyStepEndsWithItsExpectedExitCode() {
    List<StartupTraining.Outcome> outcomes = StartupTraining.runAll();
    assertThat(outcomes).isNotEmpty();
    assertThat(outcomes)
        .allSatisfy(
            o ->
                assertThat(o.exitCode())
                    .as(String.join(" ", o.step().args()))
                    .isEqualTo(o.step().expectedExit()));
    StringWriter log = new StringWriter();
    assertThat(StartupTraining.run(new PrintWriter(log))).as(log.toString()).isTrue();
    assertThat(log.toString()).isEmpty();
  }

  @Test
  void itCoversTheHttpAndJsonPathsAndTheErrorPaths() {
    List<List<String>> args = StartupTraining.runAll().stream().map(o -> o.step().args()).toList();
    assertThat(args)
        .contains(List.of("list", "-o", "json"), List.of("list"), List.of("avail"))
        .contains(List.of("list", "--status", "NOPE"), List.of("show", "0000aaaa"));
    for (Class<?> type : GpuDev.SUBCOMMANDS) {
      String name = type.getAnnotation(picocli.CommandLine.Command.class).name();
      assertThat(args).contains(List.of(name, "--help"));
    }
  }
}
