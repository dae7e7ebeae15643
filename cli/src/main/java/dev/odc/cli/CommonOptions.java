package dev.odc.cli;

import picocli.CommandLine.Option;

/** Flags every command takes. */
public final class CommonOptions {
  /** How results are printed. */
  public enum Output {
    table,
    json,
    csv
  }

  @Option(
      names = "--api-url",
      paramLabel = "URL",
      description = "ODC API base URL (default: $GPU_DEV_API_URL, then `config set api-url`).")
  String apiUrl;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: table).")
  Output output = Output.table;

  @Option(
      names = "--api-key",
      paramLabel = "FILE",
      description =
          "Read an API key from FILE instead of the cached login ($GPU_DEV_API_KEY works too).")
  String apiKeyFile;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--debug", description = "Show details (stack traces, HTTP calls) on stderr.")
  boolean debug;

  public Output output() {
    return output;
  }

  public boolean json() {
    return output == Output.json;
  }
}
