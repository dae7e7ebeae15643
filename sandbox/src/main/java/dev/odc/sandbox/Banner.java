package dev.odc.sandbox;

import java.time.Duration;
import java.util.Locale;

/** What the sandbox prints once it is ready: where everything is and what to run next. */
final class Banner {
  private Banner() {}

  /** {@code -t h100 -g 2 -H 1} with the default nodes, else the first GPU type's. */
  static String reserveArguments(Sandbox.Plan plan) {
    var pool =
        plan.pools().stream()
            .filter(p -> p.gpuType().equals("h100"))
            .findFirst()
            .orElse(plan.pools().getFirst());
    return "-t " + pool.gpuType() + " -g " + Math.min(2, pool.gpusPerNode()) + " -H 1";
  }

  static String render(Sandbox.Plan plan, Sandbox.Ready ready, Duration startup) {
    StringBuilder b = new StringBuilder();
    b.append('\n')
        .append(Sandbox.READY_LINE)
        .append(String.format(Locale.ROOT, " (started in %.1f s)%n", startup.toMillis() / 1000.0));
    b.append("  API          ").append(ready.apiUrl()).append('\n');
    b.append("  Console      ")
        .append(ready.apiUrl())
        .append("/  (web console in your browser; sign in on the login page)\n");
    if (ready.issuer().simulated()) {
      b.append("  Login        ")
          .append(ready.issuer().url())
          .append("  (simulated identity provider: any username, no password")
          .append(
              plan.admins().isEmpty()
                  ? ""
                  : "; admins: " + String.join(", ", plan.admins().stream().sorted().toList()))
          .append(")\n");
    } else {
      b.append("  Login        ")
          .append(ready.issuer().url())
          .append("  (client ")
          .append(ready.issuer().clientId())
          .append(")\n");
    }
    if (ready.simulatedKubeUrl().isPresent()) {
      b.append("  Kubernetes   SIMULATED cluster at ")
          .append(ready.simulatedKubeUrl().get())
          .append(" with ")
          .append(NodePools.describe(plan.pools()))
          .append(" GPU nodes (no real GPUs, nothing runs)\n");
    } else {
      b.append("  Kubernetes   ")
          .append(plan.kubeconfig().map(Object::toString).orElse(""))
          .append(plan.context().map(c -> " (context " + c + ")").orElse(" (current context)"))
          .append('\n');
    }
    if (ready.embeddedDatabase()) {
      b.append("  Database     embedded PostgreSQL, data kept in ")
          .append(plan.dataDir().resolve("postgres"))
          .append('\n');
    } else {
      b.append("  Database     ").append(ready.database().display()).append('\n');
    }
    b.append("  Logs         ").append(ready.logFile()).append('\n');
    if (ready.cli().isPresent()) {
      CliSetup.Outcome cli = ready.cli().get();
      if (cli.written()) {
        b.append("  CLI          configured: api-url ")
            .append(ready.apiUrl())
            .append(" in ")
            .append(cli.configDir())
            .append('\n');
      } else {
        b.append("  CLI          not changed: ")
            .append(cli.configDir())
            .append(" points at ")
            .append(cli.previousUrl().orElse("another API"))
            .append('\n');
      }
    }
    b.append('\n').append("Next, in another terminal:\n");
    if (ready.cli().map(c -> !c.written()).orElse(true)) {
      b.append("  bin/gpu-dev config set api-url ").append(ready.apiUrl()).append('\n');
    }
    b.append("  bin/gpu-dev login\n");
    b.append("  bin/gpu-dev reserve ").append(reserveArguments(plan)).append('\n');
    b.append("  bin/gpu-dev avail\n");
    b.append("  bin/gpu-dev ssh-key add   # ~/.ssh/id_ed25519.pub; then: bin/gpu-dev ssh <ID>\n");
    b.append('\n').append("Press Ctrl-C to stop the sandbox; its data stays for the next start.\n");
    return b.toString();
  }
}
