package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker/Dockerfile (one image per service, {@code --build-arg SERVICE=...}) against the
 * Helm chart in helm/odc, so the two cannot drift: the jar lands where the chart runs it, the user
 * is the chart's non-root uid/gid, the JVM writes only to the /tmp the chart mounts, and the jar
 * the Dockerfile copies is the one this module builds. No Docker engine runs on the build machines,
 * so the image itself is not built here.
 */
class DockerfileJarIT {
  private static final Path REPO =
      Path.of(System.getProperty("odc.repo.root", "..")).toAbsolutePath().normalize();
  private static final Path JAR =
      Path.of(System.getProperty("odc.serviceJar", "target/api-service.jar")).toAbsolutePath();

  /** Component (image name) to its key in values.yaml. */
  private static final Map<String, String> SERVICES =
      Map.of(
          "api-service",
          "apiService",
          "reservation-processor",
          "processor",
          "cronjobs",
          "cronjobs");

  private static List<Instruction> dockerfile;
  private static JsonNode values;
  private static String helpers;
  private static String deployment;

  record Instruction(String keyword, String arguments) {}

  @BeforeAll
  static void read() throws IOException {
    dockerfile = parse(Files.readString(REPO.resolve("deploy/docker/Dockerfile")));
    values = new ObjectMapper(new YAMLFactory()).readTree(chart("values.yaml").toFile());
    helpers = Files.readString(chart("templates/_helpers.tpl"));
    deployment = Files.readString(chart("templates/_deployment.tpl"));
  }

  @Test
  void eachServiceJarLandsWhereTheChartRunsIt() throws IOException {
    String deployments = Files.readString(chart("templates/deployments.yaml"));
    String[] copy = only("COPY").arguments().split("\\s+");
    assertThat(copy).as("COPY <source> <destination>").hasSize(2);

    SERVICES.forEach(
        (service, key) -> {
          assertThat(deployments).contains("\"component\" \"" + service + "\"");
          assertThat(expand(copy[1], service))
              .as("jar of %s in the image", service)
              .isEqualTo(values.at("/" + key + "/jar").asText());
          assertThat(expand(copy[0], service))
              .as("the Dockerfile copies what the shade plugin writes")
              .isEqualTo(service + "/target/" + service + ".jar");
        });
    assertThat(env().get("SERVICE_JAR")).as("the jar the ENTRYPOINT runs").isEqualTo(copy[1]);
    // the cloud examples may repeat a jar path, but never move it
    for (String file : List.of("values-eks.yaml", "values-gke.yaml")) {
      JsonNode example = new ObjectMapper(new YAMLFactory()).readTree(chart(file).toFile());
      SERVICES.forEach(
          (service, key) -> {
            JsonNode jar = example.at("/" + key + "/jar");
            if (!jar.isMissingNode()) {
              assertThat(jar.asText())
                  .as("%s in %s", key, file)
                  .isEqualTo(expand(copy[1], service));
            }
          });
    }
    assertThat(REPO.resolve(expand(copy[0], "api-service"))).isEqualTo(JAR);
    assertThat(deployment).contains("args: [\"-jar\", {{ .values.jar | quote }}");
  }

  @Test
  void theCopiedJarIsTheRunnableApiService() throws Exception {
    assertThat(JAR).isRegularFile();
    Path log = Files.createTempFile("api-service-help", ".log");
    try {
      Process process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  JAR.toString(),
                  "--help")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
      } finally {
        process.destroyForcibly();
      }
      assertThat(process.exitValue()).isZero();
      assertThat(Files.readString(log)).contains("server", "check", "migrate");
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void runsAsTheChartsNonRootUser() {
    String runAsUser = setting(helpers, "runAsUser");
    String runAsGroup = setting(helpers, "runAsGroup");
    assertThat(setting(helpers, "runAsNonRoot")).isEqualTo("true");

    assertThat(only("USER").arguments()).isEqualTo(runAsUser + ":" + runAsGroup);
    assertThat(Integer.parseInt(runAsUser)).isPositive();
    assertThat(Integer.parseInt(runAsGroup)).isPositive();
    String run = only("RUN").arguments();
    assertThat(run).contains("--gid " + runAsGroup).contains("--uid " + runAsUser);
  }

  @Test
  void writesOnlyToTheTmpTheChartMounts() {
    assertThat(setting(helpers, "readOnlyRootFilesystem")).isEqualTo("true");
    assertThat(helpers).containsPattern("- name: tmp\\s+mountPath: /tmp");
    assertThat(helpers).containsPattern("- name: tmp\\s+emptyDir:");
    assertThat(deployment).contains("-Djava.io.tmpdir=/tmp");

    Map<String, String> env = env();
    assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-Djava.io.tmpdir=/tmp");
  }

  @Test
  void sizesTheHeapFromTheContainerLimitLikeTheChart() {
    Pattern percentage = Pattern.compile("-XX:MaxRAMPercentage=\\d+");
    assertThat(env().get("JAVA_TOOL_OPTIONS")).containsPattern(percentage);
    SERVICES
        .values()
        .forEach(
            key ->
                assertThat(values.at("/" + key + "/javaOpts").asText())
                    .as("%s.javaOpts", key)
                    .containsPattern(percentage));
    assertThat(deployment).contains(".values.javaOpts");
  }

  @Test
  void defaultsToTheChartsServerCommandOnAJava21PlusRuntime() {
    Matcher chartArgs =
        Pattern.compile("args: \\[\"-jar\", \\{\\{ \\.values\\.jar \\| quote }}, (.*)]")
            .matcher(deployment);
    assertThat(chartArgs.find()).as("args line in _deployment.tpl").isTrue();
    assertThat(only("CMD").arguments().replace(" ", ""))
        .isEqualTo("[" + chartArgs.group(1).replace(" ", "") + "]");
    assertThat(deployment).contains("command: [\"java\"]");

    Matcher base =
        Pattern.compile("BASE_IMAGE=[\\w./-]*?(?:temurin|jre|jdk)[^:]*:(\\d+)")
            .matcher(first("ARG").arguments());
    assertThat(base.find()).as("ARG BASE_IMAGE with a Java version tag").isTrue();
    assertThat(Integer.parseInt(base.group(1))).isGreaterThanOrEqualTo(21);
    assertThat(only("FROM").arguments()).isEqualTo("${BASE_IMAGE}");
  }

  private static Path chart(String file) {
    return REPO.resolve("helm/odc").resolve(file);
  }

  /** A scalar setting in a template, e.g. {@code runAsUser: 10001}; exactly one value. */
  private static String setting(String template, String key) {
    Matcher m = Pattern.compile("(?m)^\\s*" + key + ":\\s*(\\S+)\\s*$").matcher(template);
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(m.group(1));
    }
    assertThat(found).as("%s in the chart", key).isNotEmpty();
    assertThat(found).as("every %s in the chart", key).containsOnly(found.get(0));
    return found.get(0);
  }

  private static String expand(String text, String service) {
    return text.replace("${SERVICE}", service).replace("$SERVICE", service);
  }

  /** ENV settings (the {@code KEY=value} form), quotes removed. */
  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)").matcher(only("ENV").arguments());
    while (m.find()) {
      env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
    }
    return env;
  }

  private static Instruction only(String keyword) {
    List<Instruction> found = dockerfile.stream().filter(i -> i.keyword().equals(keyword)).toList();
    assertThat(found).as("%s instructions", keyword).hasSize(1);
    return found.get(0);
  }

  private static Instruction first(String keyword) {
    return dockerfile.stream()
        .filter(i -> i.keyword().equals(keyword))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + keyword + " in the Dockerfile"));
  }

  /** Instructions with their continuation lines joined; comments and blank lines dropped. */
  private static List<Instruction> parse(String text) {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.lines().toList()) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || (stripped.isEmpty() && current.isEmpty())) {
        continue;
      }
      boolean continues = stripped.endsWith("\\");
      current.append(continues ? stripped.substring(0, stripped.length() - 1) : stripped);
      current.append(' ');
      if (!continues) {
        String[] parts = current.toString().strip().split("\\s+", 2);
        instructions.add(
            new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : ""));
        current.setLength(0);
      }
    }
    return instructions;
  }
}
