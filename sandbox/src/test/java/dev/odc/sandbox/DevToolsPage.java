package dev.odc.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One page of a real Chromium, driven through the DevTools protocol on its remote-debugging port:
 * enough to fill in and submit a login form the way a user does.
 */
final class DevToolsPage implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private volatile WebSocket socket;

  private DevToolsPage() {}

  /** The page target whose URL starts with {@code urlPrefix}, if Chromium has one open. */
  static Optional<DevToolsPage> find(HttpClient http, int debugPort, String urlPrefix)
      throws IOException, InterruptedException {
    HttpResponse<String> list;
    try {
      list =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + debugPort + "/json/list"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return Optional.empty(); // Chromium is not listening yet
    }
    for (JsonNode target : MAPPER.readTree(list.body())) {
      if ("page".equals(target.path("type").asText())
          && target.path("url").asText().startsWith(urlPrefix)) {
        DevToolsPage page = new DevToolsPage();
        try {
          page.socket =
              http.newWebSocketBuilder()
                  .buildAsync(
                      URI.create(target.path("webSocketDebuggerUrl").asText()), page.listener())
                  .get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          throw new IOException("cannot attach to the page in Chromium", e);
        }
        return Optional.of(page);
      }
    }
    return Optional.empty();
  }

  private WebSocket.Listener listener() {
    StringBuilder buffer = new StringBuilder();
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        buffer.append(data);
        if (last) {
          String message = buffer.toString();
          buffer.setLength(0);
          try {
            JsonNode json = MAPPER.readTree(message);
            if (json.has("id")) {
              CompletableFuture<JsonNode> f = pending.remove(json.get("id").asInt());
              if (f != null) {
                f.complete(json);
              }
            }
          } catch (IOException e) {
            // Not JSON: DevTools never sends that; ignore rather than kill the socket.
          }
        }
        ws.request(1);
        return null;
      }
    };
  }

  /**
   * Evaluates {@code expression} in the page and returns its value (JSON), waiting at most 10 s.
   */
  JsonNode evaluate(String expression) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode call = MAPPER.createObjectNode();
    call.put("id", id);
    call.put("method", "Runtime.evaluate");
    call.putObject("params").put("expression", expression).put("returnByValue", true);
    socket.sendText(MAPPER.writeValueAsString(call), true).get(10, TimeUnit.SECONDS);
    JsonNode response = answer.get(10, TimeUnit.SECONDS);
    return response.path("result").path("result").path("value");
  }

  /** Sends {@code expression} without waiting for its result (it may navigate the page away). */
  void fire(String expression) throws Exception {
    ObjectNode call = MAPPER.createObjectNode();
    call.put("id", ids.incrementAndGet());
    call.put("method", "Runtime.evaluate");
    call.putObject("params").put("expression", expression);
    socket.sendText(MAPPER.writeValueAsString(call), true).get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    socket.abort();
  }
}
