package dev.odc.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gpu-dev} command: reserve GPU development servers on ODC. */
@Command(
    name = "gpu-dev",
    mixinStandardHelpOptions = true,
    version = GpuDev.VERSION,
    description = "Reserve GPU development servers on ODC (Open Developer Cloud).",
    footer = {
      "",
      "Examples:",
      "  gpu-dev config set api-url https://odc.example.com",
      "  gpu-dev login",
      "  gpu-dev reserve -g 2 -t h100 -H 4 -n train",
      "  gpu-dev list",
      "  gpu-dev ssh 1a2b3c4d",
      "",
      "Exit codes: 0 ok, 1 error, 2 usage, 3 login needed, 4 not found."
    })
public final class GpuDev {
  public static final String VERSION = "gpu-dev 0.1.0";

  private final Map<String, String> env;
  private final Clock clock;
  private final Path configDir;

  public GpuDev(Map<String, String> env, Clock clock) {
    this.env = Map.copyOf(env);
    this.clock = clock;
    this.configDir = ConfigStore.defaultDir(this.env);
  }

  public Map<String, String> env() {
    return env;
  }

  public Clock clock() {
    return clock;
  }

  public Path configDir() {
    return configDir;
  }

  /**
   * The subcommands in help order. They are registered here rather than in the annotation so that a
   * run builds the picocli model of the one command it needs: reflecting over every command's
   * options is most of the CLI's start-up time.
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          LoginCommand.class,
          LogoutCommand.class,
          WhoamiCommand.class,
          ReserveCommand.class,
          ListCommand.class,
          ShowCommand.class,
          CancelCommand.class,
          ExtendCommand.class,
          AvailCommand.class,
          SshCommand.class,
          SshConfigCommand.class,
          PortForwardCommand.class,
          TunnelCommand.class,
          SshKeyCommand.class,
          DiskCommand.class,
          AuditCommand.class,
          ConfigCommand.class,
          ApiKeyCommand.class,
          CompletionCommand.class,
          CommandLine.HelpCommand.class);

  /** A command line with every subcommand, for help, completion and tests. */
  public static CommandLine commandLine(GpuDev root, PrintWriter out, PrintWriter err) {
    return configure(new CommandLine(root), SUBCOMMANDS, out, err);
  }

  /** Runs gpu-dev with {@code args} and returns the exit code. */
  public static int run(GpuDev root, PrintWriter out, PrintWriter err, String... args) {
    return configure(new CommandLine(root), needed(args), out, err).execute(args);
  }

  /** Only the subcommand named first, none for a bare --version, all otherwise. */
  static List<Class<?>> needed(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      return List.of();
    }
    if (args.length > 0) {
      for (Class<?> type : SUBCOMMANDS) {
        Command c = type.getAnnotation(Command.class);
        if (c.name().equals(args[0]) || Arrays.asList(c.aliases()).contains(args[0])) {
          return type == CommandLine.HelpCommand.class || type == CompletionCommand.class
              ? SUBCOMMANDS
              : List.of(type);
        }
      }
    }
    return SUBCOMMANDS;
  }

  private static CommandLine configure(
      CommandLine cli, List<Class<?>> subcommands, PrintWriter out, PrintWriter err) {
    for (Class<?> type : subcommands) {
      cli.addSubcommand(type);
    }
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(GpuDev::handle);
    return cli;
  }

  /** One clear line per failure; the stack trace only with {@code --debug}. */
  static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    boolean debug = parseResult.expandedArgs().contains("--debug");
    int code;
    String message;
    if (e instanceof CliException c) {
      code = c.exitCode();
      message = c.getMessage();
    } else if (e instanceof IllegalArgumentException) {
      // The core records' own validation: the user gave a value they refuse.
      code = ExitCodes.USAGE;
      message = e.getMessage();
    } else {
      code = ExitCodes.ERROR;
      message = "unexpected error: " + e;
    }
    err.println("gpu-dev: " + message);
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  public static void main(String[] args) {
    if (args.length == 1 && args[0].equals(StartupTraining.FLAG)) {
      // bin/gpu-dev's training run for its start-up cache; a failed step fails it, so that a cache
      // of a half-run is never kept.
      PrintWriter log = new PrintWriter(System.err, true);
      System.exit(StartupTraining.run(log) ? ExitCodes.OK : ExitCodes.ERROR);
    }
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(new GpuDev(System.getenv(), Clock.systemUTC()), out, err, args);
    out.flush();
    System.exit(code);
  }
}
