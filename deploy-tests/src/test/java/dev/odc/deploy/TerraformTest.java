package dev.odc.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Syntax and consistency of terraform/: every file parses, every variable is documented and
 * validated, and the outputs carry every value the chart needs.
 */
class TerraformTest {

  private static final List<String> MODULES =
      List.of("modules/eks", "modules/gke", "examples/eks", "examples/gke");
  private static final Pattern OUTPUT_COMMENT =
      Pattern.compile("#\\s*outputs?:\\s*([a-z_]+(?:\\s*(?:,|/)\\s*[a-z_]+)*)");

  @Test
  void everyTerraformFileParses() {
    List<Path> files = Terraform.tfFiles();

    assertThat(files).hasSizeGreaterThanOrEqualTo(14);
    for (Path file : files) {
      Map<String, Object> parsed = Terraform.parse(file);
      assertThat(parsed).as(file.toString()).isNotEmpty();
      assertThat(parsed.keySet())
          .as(file.toString())
          .isSubsetOf(
              "terraform",
              "variable",
              "output",
              "resource",
              "data",
              "locals",
              "module",
              "provider");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"modules/eks", "modules/gke", "examples/eks", "examples/gke"})
  void everyVariableIsDescribedAndValidated(String dir) {
    Map<String, Object> variables = Terraform.blocks(Terraform.module(dir), "variable");

    assertThat(variables).isNotEmpty();
    variables.forEach(
        (name, block) -> {
          Map<String, Object> variable = Terraform.map(block);
          assertThat(String.valueOf(variable.get("description")))
              .as("%s: variable %s needs a description", dir, name)
              .isNotBlank()
              .isNotEqualTo("null");
          assertThat(variable.get("type"))
              .as("%s: variable %s needs a type", dir, name)
              .isNotNull();
          boolean isBool = String.valueOf(variable.get("type")).startsWith("BooleanPrimitiveType");
          if (!isBool) {
            List<Map<String, Object>> validations = Terraform.repeated(variable.get("validation"));
            assertThat(validations)
                .as(
                    "%s: variable %s (type %s) needs a validation block",
                    dir, name, variable.get("type"))
                .isNotEmpty();
            for (Map<String, Object> validation : validations) {
              assertThat(validation).containsKey("condition");
              assertThat(String.valueOf(validation.get("error_message"))).endsWith(".");
            }
          }
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"modules/eks", "modules/gke", "examples/eks", "examples/gke"})
  void everyOutputIsDescribed(String dir) {
    Map<String, Object> outputs = Terraform.blocks(Terraform.module(dir), "output");

    assertThat(outputs).isNotEmpty();
    outputs.forEach(
        (name, block) ->
            assertThat(String.valueOf(Terraform.map(block).get("description")))
                .as("%s: output %s", dir, name)
                .isNotBlank());
  }

  @ParameterizedTest
  @ValueSource(strings = {"eks", "gke"})
  void everyValueTheChartNeedsIsAnOutput(String cloud) throws IOException {
    JsonNode mapping = mapping().get(cloud);
    Map<String, Object> moduleOutputs =
        Terraform.blocks(Terraform.module("modules/" + cloud), "output");
    Map<String, Object> exampleOutputs =
        Terraform.blocks(Terraform.module("examples/" + cloud), "output");
    JsonNode values =
        Chart.yaml(Files.readString(Chart.dir().resolve(mapping.get("valuesFile").asText())));
    Map<String, Object> helmValues =
        Terraform.map(Terraform.map(moduleOutputs.get("helm_values")).get("value"));

    for (JsonNode line : mapping.get("outputs")) {
      String output = line.get("output").asText();
      String chartValue = line.get("chartValue").asText();
      assertThat(moduleOutputs).as("modules/%s output", cloud).containsKey(output);
      assertThat(exampleOutputs).as("examples/%s output", cloud).containsKey(output);
      String pointer = "/" + chartValue.replace('.', '/');
      assertThat(values.at(pointer).isMissingNode())
          .as("%s sets %s", mapping.get("valuesFile").asText(), chartValue)
          .isFalse();
      assertThat(lookup(helmValues, chartValue))
          .as("modules/%s helm_values carries %s", cloud, chartValue)
          .isTrue();
    }
    for (JsonNode output : mapping.get("secretOutputs")) {
      assertThat(moduleOutputs).containsKey(output.asText());
      assertThat(exampleOutputs).containsKey(output.asText());
    }
    assertThat(exampleOutputs).containsKey("helm_values");
  }

  @ParameterizedTest
  @ValueSource(strings = {"values-eks.yaml", "values-gke.yaml"})
  void outputsNamedInTheValuesFilesExist(String valuesFile) throws IOException {
    String cloud = valuesFile.substring("values-".length(), valuesFile.indexOf('.'));
    Set<String> outputs = Terraform.blocks(Terraform.module("modules/" + cloud), "output").keySet();
    Set<String> named = new LinkedHashSet<>();
    Matcher matcher = OUTPUT_COMMENT.matcher(Files.readString(Chart.dir().resolve(valuesFile)));
    while (matcher.find()) {
      for (String name : matcher.group(1).split("\\s*[,/]\\s*")) {
        named.add(name.strip());
      }
    }

    assertThat(named).hasSizeGreaterThanOrEqualTo(6);
    assertThat(outputs).containsAll(named);
  }

  @ParameterizedTest
  @ValueSource(strings = {"eks", "gke"})
  void examplesPassOnlyVariablesTheModuleDeclaresAndEveryRequiredOne(String cloud) {
    Map<String, Object> moduleVariables =
        Terraform.blocks(Terraform.module("modules/" + cloud), "variable");
    Map<String, Object> call =
        Terraform.map(Terraform.blocks(Terraform.module("examples/" + cloud), "module").get("odc"));

    assertThat(call.get("source")).isEqualTo("../../modules/" + cloud);
    List<String> arguments = new ArrayList<>(call.keySet());
    arguments.removeAll(
        List.of("source", "version", "providers", "depends_on", "count", "for_each"));
    assertThat(moduleVariables.keySet()).containsAll(arguments);
    moduleVariables.forEach(
        (name, block) -> {
          if (!Terraform.map(block).containsKey("default")) {
            assertThat(arguments).as("required variable %s", name).contains(name);
          }
        });
  }

  @Test
  void gpuNodesAreLabelledAndTaintedAsTheChartExpects() throws IOException {
    String chartLabelKey =
        Chart.yaml(Files.readString(Chart.dir().resolve("values.yaml")))
            .get("gpuNodeLabelKey")
            .asText();
    Map<String, Object> eks =
        Terraform.map(
            Terraform.map(
                    Terraform.blocks(Terraform.module("modules/eks"), "resource")
                        .get("aws_eks_node_group"))
                .get("gpu"));
    Map<String, Object> gke =
        Terraform.map(
            Terraform.map(
                    Terraform.map(
                            Terraform.blocks(Terraform.module("modules/gke"), "resource")
                                .get("google_container_node_pool"))
                        .get("gpu"))
                .get("node_config"));

    for (Map<String, Object> group : List.of(eks, gke)) {
      List<Map<String, Object>> taints = Terraform.repeated(group.get("taint"));
      assertThat(taints).hasSize(1);
      assertThat(taints.get(0))
          .containsEntry("key", "nvidia.com/gpu")
          .containsEntry("value", "present")
          .containsEntry("effect", "NO_SCHEDULE");
    }
    for (String cloud : List.of("eks", "gke")) {
      Map<String, Object> labelKey =
          Terraform.map(
              Terraform.blocks(Terraform.module("modules/" + cloud), "variable")
                  .get("gpu_node_label_key"));
      assertThat(labelKey.get("default")).isEqualTo(chartLabelKey).isEqualTo("odc.dev/gpu-type");
    }
    String eksSource = Files.readString(Terraform.root().resolve("modules/eks/main.tf"));
    String gkeSource = Files.readString(Terraform.root().resolve("modules/gke/main.tf"));
    String labelling = "zipmap([var.gpu_node_label_key], [each.value.label_value])";
    assertThat(eksSource).contains(labelling);
    assertThat(gkeSource).contains(labelling);
  }

  @Test
  void csiDriversAndSnapshotControllerAreInstalled() {
    Map<String, Object> addons =
        Terraform.map(
            Terraform.blocks(Terraform.module("modules/eks"), "resource").get("aws_eks_addon"));
    List<Object> names =
        addons.values().stream().map(a -> Terraform.map(a).get("addon_name")).toList();
    assertThat(names).contains("aws-ebs-csi-driver", "snapshot-controller");

    Map<String, Object> cluster =
        Terraform.map(
            Terraform.map(
                    Terraform.blocks(Terraform.module("modules/gke"), "resource")
                        .get("google_container_cluster"))
                .get("this"));
    Map<String, Object> pdCsi =
        Terraform.map(
            Terraform.map(cluster.get("addons_config"))
                .get("gce_persistent_disk_csi_driver_config"));
    assertThat(pdCsi).containsEntry("enabled", true);
  }

  private static boolean lookup(Map<String, Object> root, String dottedPath) {
    Object current = root;
    for (String key : dottedPath.split("\\.")) {
      if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
        return false;
      }
      current = map.get(key);
    }
    return true;
  }

  private static JsonNode mapping() {
    try (InputStream in =
        TerraformTest.class.getResourceAsStream("/chart-terraform-outputs.yaml")) {
      return Chart.yaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
