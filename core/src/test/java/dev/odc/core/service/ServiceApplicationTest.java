package dev.odc.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Environment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceApplicationTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream stdout;
  private PrintStream stderr;

  @TempDir Path dir;

  @BeforeEach
  void capture() {
    stdout = System.out;
    stderr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(stdout);
    System.setErr(stderr);
  }

  @Test
  void checkPrintsItsVerdictBeforeItReturns() throws Exception {
    Path config = Files.writeString(dir.resolve("config.yml"), "logging:\n  level: INFO\n");

    new TestApplication().run("check", config.toString());

    // no waiting: the verdict does not go through the asynchronous log appender
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(ServiceApplication.CONFIGURATION_OK);
  }

  @Test
  void anUnsetVariableInTheConfigurationIsNamedAndNothingIsOk() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("config.yml"), "logging:\n  level: ${ODC_TEST_SURELY_UNSET_LEVEL}\n");

    assertThatThrownBy(() -> new TestApplication().run("check", config.toString()))
        .isInstanceOf(FatalError.class);

    assertThat(err.toString(StandardCharsets.UTF_8)).contains("ODC_TEST_SURELY_UNSET_LEVEL");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .doesNotContain(ServiceApplication.CONFIGURATION_OK);
  }

  @Test
  void anUnknownKeyIsNamed() throws Exception {
    Path config = Files.writeString(dir.resolve("config.yml"), "logginng:\n  level: INFO\n");

    assertThatThrownBy(() -> new TestApplication().run("check", config.toString()))
        .isInstanceOf(FatalError.class);

    assertThat(err.toString(StandardCharsets.UTF_8)).contains("logginng");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .doesNotContain(ServiceApplication.CONFIGURATION_OK);
  }

  static final class FatalError extends RuntimeException {
    FatalError(Throwable cause) {
      super(cause);
    }
  }

  static final class TestApplication extends ServiceApplication<Configuration> {
    @Override
    public void run(Configuration configuration, Environment environment) {
      throw new AssertionError("check must not run the service");
    }

    @Override
    protected void onFatalError(Throwable t) {
      // Dropwizard would System.exit(1) here
      throw new FatalError(t);
    }
  }
}
