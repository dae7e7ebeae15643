package dev.odc.deploy;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.HCLParserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The Terraform code under terraform/, parsed with hcl4j (no terraform binary exists here). */
final class Terraform {

  private Terraform() {}

  static Path root() {
    return Chart.repoRoot().resolve("terraform");
  }

  static List<Path> tfFiles() {
    try (Stream<Path> paths = Files.walk(root())) {
      return paths.filter(p -> p.toString().endsWith(".tf")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> parse(Path file) {
    try {
      return new HCLParser().parse(file.toFile(), "UTF-8");
    } catch (HCLParserException | IOException e) {
      throw new AssertionError("HCL syntax error in " + root().relativize(file) + ": " + e, e);
    } catch (RuntimeException e) {
      // hcl4j wraps lexer and parser failures in RuntimeExceptions.
      throw new AssertionError("HCL syntax error in " + root().relativize(file) + ": " + e, e);
    }
  }

  /** All blocks of one directory (a Terraform module), merged by block type. */
  static Map<String, Map<String, Object>> module(String relativeDir) {
    Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(root().resolve(relativeDir))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".tf")).sorted().toList()) {
        parse(file)
            .forEach(
                (blockType, blocks) -> {
                  if (blocks instanceof Map<?, ?> map) {
                    Map<String, Object> target =
                        merged.computeIfAbsent(blockType, k -> new LinkedHashMap<>());
                    map.forEach((k, v) -> target.put(String.valueOf(k), v));
                  }
                });
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return merged;
  }

  static Map<String, Object> blocks(Map<String, Map<String, Object>> module, String type) {
    return module.getOrDefault(type, Map.of());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    if (!(value instanceof Map<?, ?>)) {
      throw new AssertionError("expected a block or object, found " + value);
    }
    return (Map<String, Object>) value;
  }

  /** A block that may appear once (an object) or several times (a list of objects). */
  static List<Map<String, Object>> repeated(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Terraform::map).toList();
    }
    return List.of(map(value));
  }
}
