package dev.odc.cli;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.api.ErrorResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The ODC API over the JDK HTTP client. Every non-2xx answer becomes a {@link CliException} with
 * the API's own message and the exit code for its status (401 → 3, 404 → 4, else 1).
 */
public final class ApiClient {
  private final URI base;
  private final HttpClient http;
  private final ObjectMapper mapper;
  private final Supplier<String> bearer;
  private final PrintWriter debug;

  /**
   * @param bearer supplies the credential on first use, so commands that need none never log in
   * @param debug where to trace requests, or null
   */
  public ApiClient(
      URI base, HttpClient http, ObjectMapper mapper, Supplier<String> bearer, PrintWriter debug) {
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.http = http;
    this.mapper = mapper;
    this.bearer = bearer;
    this.debug = debug;
  }

  public URI base() {
    return base;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public <T> T get(String path, Class<T> type) {
    return read(send("GET", path, null, true), mapper.constructType(type));
  }

  /** GET without credentials, for public endpoints such as {@code /v1/auth/config}. */
  public <T> T getPublic(String path, Class<T> type) {
    return read(send("GET", path, null, false), mapper.constructType(type));
  }

  public <T> T post(String path, Object body, Class<T> type) {
    return read(send("POST", path, body, true), mapper.constructType(type));
  }

  public <T> T postPublic(String path, Object body, Class<T> type) {
    return read(send("POST", path, body, false), mapper.constructType(type));
  }

  public void delete(String path) {
    send("DELETE", path, null, true);
  }

  /**
   * A listing: accepts both a {@code Page} ({@code items}, {@code nextCursor}) and a bare array.
   */
  public <T> ListResult<T> list(String path, Class<T> itemType) {
    String body = send("GET", path, null, true);
    try {
      JsonNode node = mapper.readTree(body);
      JavaType listType = mapper.getTypeFactory().constructCollectionType(List.class, itemType);
      if (node.isArray()) {
        return new ListResult<>(mapper.convertValue(node, listType), null);
      }
      JsonNode items = node.path("items");
      List<T> list = items.isMissingNode() ? List.of() : mapper.convertValue(items, listType);
      JsonNode next = node.path("nextCursor");
      return new ListResult<>(list, next.isTextual() ? next.asText() : null);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(
          ExitCodes.ERROR, "unexpected answer from the API: " + e.getMessage(), e);
    }
  }

  /** One page of a listing and the cursor of the next, null on the last. */
  public record ListResult<T>(List<T> items, String nextCursor) {}

  /** Follows cursors until {@code limit} items (or all when limit is 0). */
  public <T> List<T> listAll(String path, Class<T> itemType, int limit) {
    List<T> out = new ArrayList<>();
    String cursor = null;
    do {
      String p =
          cursor == null ? path : path + (path.contains("?") ? "&" : "?") + "cursor=" + enc(cursor);
      ListResult<T> page = list(p, itemType);
      out.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null && (limit <= 0 || out.size() < limit));
    return limit > 0 && out.size() > limit ? out.subList(0, limit) : out;
  }

  private <T> T read(String body, JavaType type) {
    if (type.getRawClass() == Void.class || body.isEmpty()) {
      return null;
    }
    try {
      return mapper.readValue(body, type);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "unexpected answer from the API: " + firstLine(e.getMessage()), e);
    }
  }

  private String send(String method, String path, Object body, boolean authenticated) {
    URI uri = URI.create(base + path);
    HttpRequest.Builder req =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json");
    if (authenticated) {
      req.header("Authorization", "Bearer " + bearer.get());
    }
    try {
      if (body != null) {
        req.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body)));
      } else if (method.equals("POST")) {
        req.POST(HttpRequest.BodyPublishers.noBody());
      } else {
        req.method(method, HttpRequest.BodyPublishers.noBody());
      }
      if (debug != null) {
        debug.println("> " + method + " " + uri);
        debug.flush();
      }
      HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (debug != null) {
        debug.println("< " + resp.statusCode() + " " + method + " " + uri);
        debug.flush();
      }
      if (resp.statusCode() / 100 == 2) {
        return resp.body() == null ? "" : resp.body();
      }
      throw errorFor(resp.statusCode(), resp.body());
    } catch (HttpTimeoutException e) {
      throw new CliException(ExitCodes.ERROR, "the API at " + base + " did not answer in time", e);
    } catch (ConnectException e) {
      throw new CliException(ExitCodes.ERROR, "cannot reach the API at " + base, e);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "request to " + base + " failed: " + firstLine(e.toString()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted", e);
    }
  }

  CliException errorFor(int status, String body) {
    String message = null;
    try {
      ErrorResponse error = mapper.readValue(body, ErrorResponse.class);
      message = error.message();
    } catch (IOException | RuntimeException e) {
      // Not our error shape (a proxy's HTML page, say): fall back to the status line.
    }
    if (message == null || message.isBlank()) {
      message = "HTTP " + status;
    }
    return switch (status) {
      case 401 ->
          CliException.authNeeded(message + " (run `gpu-dev login`, or set GPU_DEV_API_KEY)");
      case 404 -> new CliException(ExitCodes.NOT_FOUND, message);
      default -> new CliException(ExitCodes.ERROR, message);
    };
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  public static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Builds {@code ?a=b&c=d} from the non-null entries. */
  public static String query(Map<String, ?> params) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, ?> e : new LinkedHashMap<>(params).entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      sb.append(sb.isEmpty() ? '?' : '&').append(enc(e.getKey())).append('=');
      sb.append(enc(String.valueOf(e.getValue())));
    }
    return sb.toString();
  }
}
