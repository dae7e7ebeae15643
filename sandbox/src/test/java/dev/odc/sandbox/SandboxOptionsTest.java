package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class SandboxOptionsTest {
  private final Map<String, String> env = Map.of("HOME", "/home/u");

  private Sandbox.Plan plan(String... args) {
    Sandbox sandbox = new Sandbox(env);
    new CommandLine(sandbox).parseArgs(args);
    return sandbox.plan();
  }

  @Test
  void defaultsToTheSimulatedPlatformUnderTheUsersDataDir() {
    Sandbox.Plan plan = plan();
    assertThat(plan.dataDir()).isEqualTo(Path.of("/home/u/.local/share/odc-sandbox"));
    assertThat(plan.simulatedCluster()).isTrue();
    assertThat(plan.database()).isEmpty();
    assertThat(plan.externalIssuer()).isEmpty();
    assertThat(plan.apiPort()).isEqualTo(7080);
    assertThat(NodePools.describe(plan.pools())).isEqualTo("2 × 8 h100, 4 × 4 l4");
    assertThat(plan.writeCliConfig()).isTrue();
  }

  @Test
  void xdgDataHomeDecidesTheDefaultDataDir() {
    assertThat(Sandbox.defaultDataDir(Map.of("XDG_DATA_HOME", "/x", "HOME", "/home/u")))
        .isEqualTo(Path.of("/x/odc-sandbox"));
  }

  @Test
  void anExternalIssuerNeedsItsClientIdAndHasNoSandboxAdmins() {
    assertThatThrownBy(() -> plan("--issuer", "https://idp.example.com"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--issuer and --client-id go together");
    assertThatThrownBy(
            () -> plan("--issuer", "https://idp.example.com", "--client-id", "c", "--admin", "bob"))
        .hasMessageContaining("--admin applies to the sandbox's login page");
    Sandbox.Plan plan = plan("--issuer", "https://idp.example.com/", "--client-id", "cli");
    assertThat(plan.externalIssuer().orElseThrow().url()).isEqualTo("https://idp.example.com");
    assertThat(plan.externalIssuer().orElseThrow().audience()).isEqualTo("cli");
    assertThat(plan.externalIssuer().orElseThrow().simulated()).isFalse();
  }

  @Test
  void rejectsBadAdminsNodesPortsAndDatabaseUrls() {
    assertThatThrownBy(() -> plan("--admin", "<script>")).hasMessageContaining("is not a username");
    assertThatThrownBy(() -> plan("--nodes", "h100")).hasMessageContaining("TYPE=NODESxGPUS");
    assertThatThrownBy(() -> plan("--api-port", "70000")).hasMessageContaining("65535");
    assertThatThrownBy(() -> plan("--database-url", "jdbc:mysql://db/odc"))
        .hasMessageContaining("--database-url");
    assertThatThrownBy(() -> plan("--context", "kind")).hasMessageContaining("needs --kubeconfig");
    assertThatThrownBy(() -> plan("--kubeconfig", "/nonexistent/kubeconfig"))
        .hasMessageContaining("not a readable file");
  }

  @Test
  void badOptionsExitWithUsageAndAClearLineNotAStackTrace() {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Sandbox(env));
    cmd.setErr(new PrintWriter(err));
    int exit = cmd.execute("--nodes", "h100=0x8");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("between 1 and 100 nodes").doesNotContain("\tat ");
  }
}
