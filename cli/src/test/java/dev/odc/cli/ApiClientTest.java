package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.odc.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ApiClient over HttpURLConnection against a loopback server: listings, streaming, errors. */
class ApiClientTest {
  private static final ObjectMapper JSON = Json.newMapper();
  private static final String PAGE_1 =
      "{\"items\":[{\"id\":\"a\",\"hours\":1.0,\"n\":3,\"labels\":{\"k\":\"v\"},\"at\":\"2026-11-30T23:00:00.123456Z\"},"
          + "{\"id\":\"b\",\"hours\":2.5,\"list\":[1,2,{\"x\":null}],\"ok\":true}],\"nextCursor\":\"page/2\"}";
  private static final String PAGE_2 =
      "{\"nextCursor\":null,\"items\":[{\"id\":\"c\",\"big\":12345678901234}]}";

  private HttpServer server;
  private final List<String> requests = new ArrayList<>();
  private final AtomicInteger mappersMade = new AtomicInteger();
  private ApiClient api;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String uri = ex.getRequestURI().toString();
            synchronized (requests) {
              requests.add(
                  ex.getRequestMethod()
                      + " "
                      + uri
                      + " "
                      + ex.getRequestHeaders().getFirst("Authorization"));
            }
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            int status = 200;
            String body;
            if (path.equals("/v1/things")) {
              body = query != null && query.contains("cursor=page/2") ? PAGE_2 : PAGE_1;
            } else if (path.equals("/v1/bare")) {
              body = "[{\"id\":\"x\"}]";
            } else if (path.equals("/v1/html")) {
              body = "<html>proxy error</html>";
            } else {
              status = 404;
              body = "{\"code\":\"NOT_FOUND\",\"message\":\"no thing here\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(bytes);
            }
          }
        });
    server.start();
    api =
        new ApiClient(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
            () -> {
              mappersMade.incrementAndGet();
              return Json.newMapper();
            },
            () -> "secret-key",
            null);
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String written(String path) {
    StringWriter out = new StringWriter();
    api.writeAllItems(path, new PrintWriter(out));
    return out.toString();
  }

  @Test
  void streamedItemsAreWhatTheMapperPrintsForTheSameTrees() throws IOException {
    String streamed = written("/v1/things");
    assertThat(mappersMade).hasValue(0);
    String viaMapper =
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(api.listAllTree("/v1/things", 0))
            + System.lineSeparator();
    assertThat(streamed).isEqualTo(viaMapper);
    List<Map<String, Object>> items = JSON.readValue(streamed, new TypeReference<>() {});
    assertThat(items).extracting(m -> m.get("id")).containsExactly("a", "b", "c");
    assertThat(requests)
        .hasSize(4)
        .allSatisfy(r -> assertThat(r).startsWith("GET /v1/things").endsWith("Bearer secret-key"));
    assertThat(requests.get(1)).contains("cursor=page%2F2");
  }

  @Test
  void bareArraysAndEmptyListings() {
    assertThat(written("/v1/bare")).contains("\"id\" : \"x\"");
    assertThat(api.listAll("/v1/bare", Map.class, 0)).hasSize(1);
    assertThat(api.listAll("/v1/things", Map.class, 2)).hasSize(2);
  }

  @Test
  void aNonJsonAnswerIsOneClearError() {
    assertThatThrownBy(() -> written("/v1/html"))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("unexpected answer from the API");
    assertThatThrownBy(() -> api.listAll("/v1/html", Map.class, 0))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("unexpected answer from the API");
  }

  @Test
  void anApiErrorKeepsItsMessageAndExitCode() {
    assertThatThrownBy(() -> written("/v1/nothing"))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.NOT_FOUND))
        .hasMessage("no thing here");
  }
}
