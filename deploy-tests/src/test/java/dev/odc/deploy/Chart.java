package dev.odc.deploy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The ODC chart in helm/odc, rendered offline through helm-java. */
final class Chart {
  static final String RELEASE = "odc";
  static final String NAMESPACE = "odc";
  static final String KUBE_VERSION = "1.31.0";

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The value sets every test renders: the defaults and the two cloud examples. */
  enum Profile {
    DEFAULT(null),
    EKS("values-eks.yaml"),
    GKE("values-gke.yaml");

    private final String valuesFile;

    Profile(String valuesFile) {
      this.valuesFile = valuesFile;
    }

    Optional<Path> valuesFile() {
      return Optional.ofNullable(valuesFile).map(f -> dir().resolve(f));
    }
  }

  private Chart() {}

  static Path repoRoot() {
    String root = System.getProperty("odc.repo.root");
    Path path = root == null ? Path.of("..") : Path.of(root);
    return path.toAbsolutePath().normalize();
  }

  static Path dir() {
    return repoRoot().resolve("helm/odc");
  }

  /**
   * helm-java's template leaves hook objects (the migration Job, the bundled database's Secret) out
   * of its output. Tests render a copy of the chart in which the hook annotations are renamed to
   * {@link #HOOK_PREFIX}, so hooks appear as ordinary objects that still say which hook they belong
   * to.
   */
  static final String HOOK_PREFIX = "test.odc.dev/hook";

  private static Path renderable;

  private static synchronized Path renderableDir() {
    if (renderable == null) {
      Path scratch = Path.of(System.getProperty("odc.scratch", "target/deploy-tests-scratch"));
      Path copy = scratch.resolve("renderable-" + ProcessHandle.current().pid()).resolve("odc");
      deleteTree(copy);
      copyTree(dir(), copy);
      try (Stream<Path> templates = Files.list(copy.resolve("templates"))) {
        for (Path template : templates.toList()) {
          String text = Files.readString(template);
          Files.writeString(template, text.replace("helm.sh/hook", HOOK_PREFIX));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      renderable = copy;
    }
    return renderable;
  }

  /** Renders the chart (hooks included) with a profile's values plus extra --set pairs. */
  static String template(Profile profile, Map<String, Object> sets) {
    TemplateCommand command =
        new Helm(renderableDir())
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    profile.valuesFile().ifPresent(command::withValuesFile);
    sets.forEach(command::set);
    return command.call();
  }

  static String template(Profile profile) {
    return template(profile, Map.of());
  }

  /**
   * Lints the chart with a profile's values. helm-java's lint reads only the chart's own
   * values.yaml, so a profile is linted from a copy of the chart whose values.yaml is the defaults
   * merged with the profile the way Helm merges them (maps merge, everything else replaces).
   */
  static LintResult lint(Profile profile, Path scratch) {
    Optional<Path> valuesFile = profile.valuesFile();
    if (valuesFile.isEmpty()) {
      return new Helm(dir()).lint().strict().call();
    }
    Path copy = scratch.resolve("odc");
    copyTree(dir(), copy);
    try {
      JsonNode merged =
          merge(
              YAML.readTree(dir().resolve("values.yaml").toFile()),
              YAML.readTree(valuesFile.get().toFile()));
      YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Helm(copy).lint().strict().call();
  }

  /** Splits rendered output into its non-empty documents, each parsed as a YAML tree. */
  static List<JsonNode> documents(String rendered) {
    return DOCUMENT_SEPARATOR
        .splitAsStream(rendered)
        .filter(document -> !isBlank(document))
        .map(Chart::yaml)
        .toList();
  }

  /** Splits rendered output into documents and parses each into a fabric8 model object. */
  static List<HasMetadata> parse(String rendered) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(rendered)) {
      if (isBlank(document)) {
        continue;
      }
      Object parsed = Serialization.unmarshal(document);
      if (!(parsed instanceof HasMetadata object)) {
        throw new IllegalStateException("not a Kubernetes object: " + document);
      }
      objects.add(object);
    }
    return objects;
  }

  static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
    return ofType(objects, type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }

  private static boolean isBlank(String document) {
    return document.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
  }

  private static JsonNode merge(JsonNode base, JsonNode override) {
    requireNonNull(base, "base is null");
    if (override == null || override.isNull() || override.isMissingNode()) {
      return base;
    }
    if (!base.isObject() || !override.isObject()) {
      return override;
    }
    ObjectNode result = ((ObjectNode) base).deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = override.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = result.get(field.getKey());
      result.set(
          field.getKey(), existing == null ? field.getValue() : merge(existing, field.getValue()));
    }
    return result;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
