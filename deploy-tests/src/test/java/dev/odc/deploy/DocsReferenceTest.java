package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.cli.GpuDev;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The operator and user references stay honest: every gpu-dev command and option is in docs/cli.md,
 * every path and method of the OpenAPI document is in docs/api.md (and nothing there is made up),
 * and every value of the chart's values.yaml is described in docs/values.md.
 */
class DocsReferenceTest {

  private static final Pattern ENDPOINT =
      Pattern.compile("`(GET|POST|PUT|PATCH|DELETE) (/v1/[^\\s`]*)");

  /** Documented endpoints that are not part of the /v1 API description itself. */
  private static final Set<String> NOT_IN_OPENAPI = Set.of("GET /v1/openapi.yaml");

  @Test
  void everyCliCommandAndOptionIsInCliMd() {
    String doc = read("docs/cli.md");
    // Built the way `gpu-dev --help` and completion build it: every subcommand registered.
    CommandLine root =
        GpuDev.commandLine(
            new GpuDev(Map.of(), Clock.systemUTC()),
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter()));
    String global = section(doc, "## Global flags (every command)");
    List<String> problems = new ArrayList<>();
    List<CommandLine> commands = new ArrayList<>();
    collect(root, commands);
    assertThat(commands).hasSizeGreaterThan(20);
    for (CommandLine command : commands) {
      CommandSpec spec = command.getCommandSpec();
      String heading = "### `" + spec.qualifiedName() + "`";
      if (!doc.contains(heading + "\n")) {
        problems.add("no section " + heading);
        continue;
      }
      String text = section(doc, heading);
      for (OptionSpec option : spec.options()) {
        if (option.hidden()) {
          continue;
        }
        for (String name : option.names()) {
          if (!mentions(text, name) && !mentions(global, name)) {
            problems.add(spec.qualifiedName() + ": option " + name);
          }
        }
      }
      for (PositionalParamSpec parameter : spec.positionalParameters()) {
        if (!parameter.hidden() && !mentions(text, parameter.paramLabel())) {
          problems.add(spec.qualifiedName() + ": parameter " + parameter.paramLabel());
        }
      }
      for (String alias : spec.aliases()) {
        if (!mentions(text, alias)) {
          problems.add(spec.qualifiedName() + ": alias " + alias);
        }
      }
    }
    assertThat(problems).as("missing from docs/cli.md").isEmpty();
  }

  @Test
  void everyOpenApiOperationIsInApiMdAndNothingElse() throws IOException {
    JsonNode openapi;
    try (InputStream in = dev.odc.api.ApiApplication.class.getResourceAsStream("/openapi.yaml")) {
      assertThat(in).as("the api-service serves /openapi.yaml from its jar").isNotNull();
      openapi = Chart.yaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    Set<String> operations = new TreeSet<>();
    openapi
        .get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        method -> {
                          if (Set.of("get", "post", "put", "patch", "delete")
                              .contains(method.getKey())) {
                            operations.add(method.getKey().toUpperCase() + " " + path.getKey());
                          }
                        }));
    assertThat(operations).hasSizeGreaterThan(15);

    String doc = read("docs/api.md");
    Set<String> documented = new LinkedHashSet<>();
    Matcher m = ENDPOINT.matcher(doc);
    while (m.find()) {
      documented.add(m.group(1) + " " + m.group(2));
    }
    assertThat(operations).as("operations missing from docs/api.md").isSubsetOf(documented);
    Set<String> invented = new TreeSet<>(documented);
    invented.removeAll(operations);
    invented.removeAll(NOT_IN_OPENAPI);
    assertThat(invented).as("documented in docs/api.md but not in openapi.yaml").isEmpty();
  }

  @Test
  void everyChartValueIsDescribedInValuesMd() {
    JsonNode values = Chart.yaml(read("helm/odc/values.yaml"));
    Set<String> paths = new TreeSet<>();
    leaves(values, "", paths);
    assertThat(paths).hasSizeGreaterThan(50);
    String doc = read("docs/values.md");
    List<String> missing = paths.stream().filter(p -> !doc.contains("`" + p + "`")).toList();
    assertThat(missing).as("values.yaml keys not described in docs/values.md").isEmpty();
  }

  /**
   * Dotted paths of the leaves; list items are described once as {@code list[].key}, and a
   * Kubernetes {@code resources} block as a whole.
   */
  private static void leaves(JsonNode node, String prefix, Set<String> out) {
    if (node.isObject() && !node.isEmpty() && !prefix.endsWith("resources")) {
      node.properties()
          .forEach(
              e ->
                  leaves(
                      e.getValue(),
                      prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                      out));
    } else if (node.isArray() && !node.isEmpty() && node.get(0).isObject()) {
      for (JsonNode item : node) {
        leaves(item, prefix + "[]", out);
      }
    } else {
      out.add(prefix);
    }
  }

  private static void collect(CommandLine command, List<CommandLine> out) {
    out.add(command);
    for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
      collect(sub, out);
    }
  }

  /** Whether {@code word} appears on its own (not as part of a longer flag or word). */
  private static boolean mentions(String text, String word) {
    return Pattern.compile("(?<![\\w-])" + Pattern.quote(word) + "(?![\\w-])").matcher(text).find();
  }

  /** The text under a heading, up to the next heading of the same or a higher level. */
  private static String section(String doc, String heading) {
    int start = doc.indexOf(heading + "\n");
    assertThat(start).as("heading %s", heading).isNotNegative();
    int level = heading.indexOf(' ');
    int end = doc.length();
    Matcher next = Pattern.compile("(?m)^#{1," + level + "} ").matcher(doc);
    if (next.find(start + heading.length())) {
      end = next.start();
    }
    return doc.substring(start, end);
  }

  private static String read(String path) {
    try {
      return Files.readString(Chart.repoRoot().resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
