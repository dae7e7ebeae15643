package dev.odc.cli;

import dev.odc.core.ApiKey;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.core.api.CreateApiKeyRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "api-key",
    description = "API keys for automation (use one with GPU_DEV_API_KEY or --api-key FILE).",
    subcommands = {
      ApiKeyCommand.Create.class,
      ApiKeyCommand.ListKeys.class,
      ApiKeyCommand.Revoke.class
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev api-key create ci --ttl-hours 720",
      "  gpu-dev api-key list",
      "  gpu-dev api-key revoke 3f2a..."
    })
final class ApiKeyCommand implements Callable<Integer> {
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

  @Command(name = "create", description = "Create a key; it is shown once.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "What the key is for.")
    String name;

    @Option(
        names = "--ttl-hours",
        paramLabel = "HOURS",
        description = "Lifetime (default: the platform's).")
    Integer ttlHours;

    @Option(
        names = "--scope",
        paramLabel = "SCOPE",
        description = "Limit the key to a scope; repeat for more.")
    List<String> scopes = new ArrayList<>();

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      ApiKeyCreated created =
          s.api()
              .post(
                  "/v1/api-keys",
                  new CreateApiKeyRequest(name, ttlHours, scopes),
                  ApiKeyCreated.class);
      if (common.json()) {
        s.printJson(created);
      } else {
        s.out().println(created.key());
        s.err()
            .println(
                "API key "
                    + created.apiKey().id()
                    + " ("
                    + created.apiKey().name()
                    + "), expires "
                    + Fmt.time(created.apiKey().expiresAt())
                    + ". It is not shown again.");
        s.err().flush();
      }
      s.out().flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", aliases = "ls", description = "List your keys (never the secrets).")
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      List<ApiKey> keys = s.api().listAll("/v1/api-keys", ApiKey.class, 0);
      if (common.json()) {
        s.printJson(keys);
        return ExitCodes.OK;
      }
      Table t = new Table("ID", "NAME", "PREFIX", "CREATED", "EXPIRES", "REVOKED", "LAST USED");
      for (ApiKey k : keys) {
        t.row(
            k.id(),
            k.name(),
            k.prefix(),
            Fmt.time(k.createdAt()),
            Fmt.time(k.expiresAt()),
            k.revokedAt() == null ? null : Fmt.time(k.revokedAt()),
            k.lastUsedAt() == null ? null : Fmt.time(k.lastUsedAt()));
      }
      if (t.isEmpty()) {
        s.out().println("No API keys.");
        s.out().flush();
      } else {
        t.print(s.out());
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "revoke", description = "Revoke a key by id.")
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The key's id (from `api-key list`).")
    String id;

    @Override
    public Integer call() {
      Session s = Session.of(spec, common);
      if (!id.matches("[0-9a-fA-F-]{8,36}")) {
        throw CliException.usage("'" + id + "' is not an API key id");
      }
      s.api().delete("/v1/api-keys/" + id);
      s.out().println("Revoked API key " + id + ".");
      s.out().flush();
      return ExitCodes.OK;
    }
  }
}
