package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/**
 * A run builds the picocli model of the one subcommand it needs ({@link GpuDev#needed}); what the
 * user sees must be what the full model gives: help text, parse errors and exit codes.
 */
class LazyModelTest {
  @TempDir Path home;

  private record Out(int code, String out, String err) {}

  private GpuDev root() {
    return new GpuDev(
        Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString()), Clock.systemUTC());
  }

  private Out lazy(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = GpuDev.run(root(), new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Out(code, out.toString(), err.toString());
  }

  private Out full(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        GpuDev.commandLine(root(), new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
    return new Out(code, out.toString(), err.toString());
  }

  private static List<String> names() {
    return GpuDev.SUBCOMMANDS.stream().map(t -> t.getAnnotation(Command.class).name()).toList();
  }

  @Test
  void everySubcommandsHelpIsTheFullModelsHelp() {
    for (String name : names()) {
      Out lazy = lazy(name, "--help");
      Out full = full(name, "--help");
      assertThat(lazy.code()).as(name + " --help: " + lazy.err()).isZero();
      assertThat(lazy.out()).as(name).contains("Usage: gpu-dev " + name).isEqualTo(full.out());
    }
  }

  @Test
  void groupCommandsTakeHelpToo() {
    for (String group : List.of("disk", "config", "api-key")) {
      Out r = lazy(group, "--help");
      assertThat(r.code()).as(group + ": " + r.err()).isZero();
      assertThat(r.out()).contains("Commands:").contains("-h, --help");
    }
    assertThat(lazy("disk", "create", "--help").out()).startsWith("Usage: gpu-dev disk create");
  }

  @Test
  void parseErrorsAndUnknownCommandsMatchTheFullModel() {
    List<String[]> bad =
        List.of(
            new String[] {"list", "--status", "NOPE"},
            new String[] {"reserve", "-g", "many"},
            new String[] {"show"},
            new String[] {"list", "--no-such-flag"},
            new String[] {"no-such-command"},
            new String[] {"disk", "create"});
    for (String[] args : bad) {
      Out lazy = lazy(args);
      Out full = full(args);
      String what = String.join(" ", args);
      assertThat(lazy.code()).as(what).isEqualTo(ExitCodes.USAGE).isEqualTo(full.code());
      assertThat(lazy.err()).as(what).isNotBlank().isEqualTo(full.err());
    }
  }

  @Test
  void rootHelpAndVersion() {
    assertThat(lazy("--help").out()).isEqualTo(full("--help").out()).contains("Commands:");
    assertThat(lazy("--version").out().strip()).isEqualTo(GpuDev.VERSION);
  }
}
