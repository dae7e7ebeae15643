package dev.odc.cli;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "config",
    description = "Show or change settings (stored in $XDG_CONFIG_HOME/gpu-dev/config.json).",
    subcommands = {ConfigCommand.Show.class, ConfigCommand.Set.class},
    footer = {
      "",
      "Examples:",
      "  gpu-dev config set api-url https://odc.example.com",
      "  gpu-dev config set default.gpu-type h100",
      "  gpu-dev config show"
    })
final class ConfigCommand implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  @Command(name = "show", description = "Print the settings and where they live.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      Map<String, String> settings = new TreeMap<>(s.config().settings());
      if (common.json()) {
        s.printJson(settings);
        return ExitCodes.OK;
      }
      s.out().println("# " + s.config().dir());
      Table t = new Table("KEY", "VALUE", "MEANING");
      new TreeMap<>(ConfigStore.KEYS).forEach((k, meaning) -> t.row(k, settings.get(k), meaning));
      t.print(s.out());
      return ExitCodes.OK;
    }
  }

  @Command(name = "set", description = "Set a setting; an empty value removes it.")
  static final class Set implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(
        index = "0",
        paramLabel = "KEY",
        description =
            "One of: api-url, default.gpu-type, default.gpus, default.hours, default.image, default.disk, login.ports, browser, ssh.user.")
    String key;

    @Parameters(
        index = "1",
        paramLabel = "VALUE",
        arity = "0..1",
        description = "The value (omit to remove).")
    String value;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      if ("api-url".equals(key)
          && value != null
          && !value.startsWith("http://")
          && !value.startsWith("https://")) {
        throw CliException.usage("api-url must start with http:// or https://, got " + value);
      }
      s.config().set(key, value);
      s.out()
          .println(value == null || value.isBlank() ? "Removed " + key + "." : "Set " + key + ".");
      s.out().flush();
      return ExitCodes.OK;
    }
  }
}
