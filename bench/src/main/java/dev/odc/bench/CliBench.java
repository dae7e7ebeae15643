package dev.odc.bench;

import dev.odc.api.ApiConfiguration;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Figure 7: wall time of {@code gpu-dev --version} and {@code gpu-dev list -o json} (against the
 * bench's API with an API key) next to a bare JVM hello-world run with the same JDK, alternating.
 */
final class CliBench {
  private CliBench() {}

  static void run(BenchEnv env, Report report, boolean quick) throws Exception {
    Path root = repositoryRoot();
    Path launcher = root.resolve("bin/gpu-dev");
    if (!Files.isExecutable(launcher)) {
      throw new IOException(launcher + " is missing");
    }
    Path work = Files.createTempDirectory("odc-bench-cli");
    Path hello = work.resolve("Hello.java");
    Files.writeString(
        hello,
        "public class Hello { public static void main(String[] a) { System.out.println(\"hi\"); } }");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null
        || javac.run(null, null, null, "-d", work.toString(), hello.toString()) != 0) {
      throw new IOException("could not compile the hello-world floor (is this a JDK?)");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    BenchEnv.Db db = env.database("cli");
    DropwizardTestSupport<ApiConfiguration> api = env.startApi(db);
    try {
      String base = "http://127.0.0.1:" + api.getLocalPort();
      String token = env.issuer().token("cliuser");
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 3; i++) {
        post(
            http,
            base + "/v1/reservations",
            token,
            "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"name\":\"c" + i + "\"}",
            202);
      }
      String created =
          post(http, base + "/v1/api-keys", token, "{\"name\":\"bench\",\"ttlHours\":2}", 201);
      String key = dev.odc.core.Json.newMapper().readTree(created).path("key").asText();
      if (key.isEmpty()) {
        throw new IOException("no key in " + created.length() + " bytes of api-keys answer");
      }
      Path config = work.resolve("config");
      Files.createDirectories(config);
      Map<String, String> cliEnv =
          Map.of(
              "JAVA_HOME",
              System.getProperty("java.home"),
              "GPU_DEV_API_URL",
              base,
              "GPU_DEV_API_KEY",
              key,
              "XDG_CONFIG_HOME",
              config.toString());
      int runs = quick ? 2 : 15;
      double[][] samples =
          ProcessTimer.timeAlternating(
              List.of(
                  List.of(java, "-cp", work.toString(), "Hello"),
                  List.of(launcher.toString(), "--version"),
                  List.of(launcher.toString(), "list", "-o", "json")),
              cliEnv,
              work,
              runs);
      double floor = new Stats(samples[0]).median();
      String[] names = {"", "gpu-dev --version", "gpu-dev list -o json"};
      for (int c = 1; c <= 2; c++) {
        double median = new Stats(samples[c]).median();
        report.add(
            new Figure(
                "7." + c,
                "CLI " + names[c],
                median,
                "ms",
                "java Hello (same JDK)",
                floor,
                false,
                "≤ 1.5× floor",
                median <= 1.5 * floor,
                String.format(
                    Locale.ROOT,
                    "median of %d alternating runs; min %.0f ms, hello min %.0f ms",
                    runs,
                    new Stats(samples[c]).min(),
                    new Stats(samples[0]).min())));
      }
    } finally {
      api.after();
    }
  }

  static String post(HttpClient http, String url, String token, String body, int expected)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** The checkout: {@code odc.root} when set (bin/bench sets it), else the working directory. */
  static Path repositoryRoot() {
    String configured = System.getProperty("odc.root");
    Path start = Path.of(configured != null ? configured : "").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("bench")) && Files.isDirectory(p.resolve("bin"))) {
        return p;
      }
    }
    return start;
  }
}
