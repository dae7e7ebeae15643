package dev.odc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.api.ErrorResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The ODC API over HTTP/1.1. Every non-2xx answer becomes a {@link CliException} with the API's own
 * message and the exit code for its status (401 → 3, 404 → 4, else 1).
 *
 * <p>It uses {@link HttpURLConnection} rather than {@code java.net.http.HttpClient}: a command
 * makes one or a few requests and exits, and building an {@code HttpClient} initializes the default
 * TLS context (even for {@code http://}) and starts its selector thread, which cost more than the
 * request itself. Redirects are not followed and no proxy is used.
 */
public final class ApiClient {
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  static final int READ_TIMEOUT_MILLIS = 30_000;

  private static final JsonFactory JSON = new JsonFactory();

  private final URI base;
  private final Supplier<ObjectMapper> mappers;
  private ObjectMapper mapper;
  private final Supplier<String> bearer;
  private final PrintWriter debug;

  /**
   * @param mappers supplies the JSON mapper on first use: streaming a listing out ({@link
   *     #writeAllItems}) needs none, and creating one is a good part of a short command's run
   * @param bearer supplies the credential on first use, so commands that need none never log in
   * @param debug where to trace requests, or null
   */
  public ApiClient(
      URI base, Supplier<ObjectMapper> mappers, Supplier<String> bearer, PrintWriter debug) {
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.mappers = mappers;
    this.bearer = bearer;
    this.debug = debug;
  }

  public URI base() {
    return base;
  }

  public ObjectMapper mapper() {
    if (mapper == null) {
      mapper = mappers.get();
    }
    return mapper;
  }

  public <T> T get(String path, Class<T> type) {
    return read(send("GET", path, null, true), mapper().constructType(type));
  }

  /** GET without credentials, for public endpoints such as {@code /v1/auth/config}. */
  public <T> T getPublic(String path, Class<T> type) {
    return read(send("GET", path, null, false), mapper().constructType(type));
  }

  public <T> T post(String path, Object body, Class<T> type) {
    return read(send("POST", path, body, true), mapper().constructType(type));
  }

  public <T> T postPublic(String path, Object body, Class<T> type) {
    return read(send("POST", path, body, false), mapper().constructType(type));
  }

  public void delete(String path) {
    send("DELETE", path, null, true);
  }

  /** GET as a JSON tree, unchanged: for {@code -o json}, which prints what the API said. */
  public JsonNode getTree(String path) {
    String body = send("GET", path, null, true);
    try {
      return mapper().readTree(body);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "unexpected answer from the API: " + firstLine(e.getMessage()), e);
    }
  }

  /**
   * A listing: accepts both a {@code Page} ({@code items}, {@code nextCursor}) and a bare array.
   */
  public <T> ListResult<T> list(String path, Class<T> itemType) {
    ListResult<JsonNode> page = listTree(path);
    return new ListResult<>(convert(page.items(), itemType), page.nextCursor());
  }

  /** One page of a listing as JSON trees, unchanged. */
  public ListResult<JsonNode> listTree(String path) {
    String body = send("GET", path, null, true);
    try {
      JsonNode node = mapper().readTree(body);
      JsonNode items = node.isArray() ? node : node.path("items");
      if (!items.isArray() && !items.isMissingNode()) {
        throw new IllegalArgumentException("'items' is not an array");
      }
      List<JsonNode> list = new ArrayList<>();
      items.forEach(list::add);
      JsonNode next = node.path("nextCursor");
      return new ListResult<>(list, next.isTextual() ? next.asText() : null);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(
          ExitCodes.ERROR, "unexpected answer from the API: " + e.getMessage(), e);
    }
  }

  /**
   * Writes every item of a listing (following cursors) as one indented JSON array, each item as the
   * API sent it: what {@code -o json} prints. It streams with Jackson's core parser and generator
   * only, so no {@code ObjectMapper} is created (its set-up costs more than the request); the
   * layout is the mapper's default pretty printer's, the same as {@link Session#printJson}.
   */
  public void writeAllItems(String path, PrintWriter out) {
    StringWriter buffer = new StringWriter();
    try (JsonGenerator gen = JSON.createGenerator(buffer).useDefaultPrettyPrinter()) {
      gen.writeStartArray();
      String cursor = null;
      do {
        String p =
            cursor == null
                ? path
                : path + (path.contains("?") ? "&" : "?") + "cursor=" + enc(cursor);
        cursor = copyItems(send("GET", p, null, true), gen);
      } while (cursor != null);
      gen.writeEndArray();
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "unexpected answer from the API: " + firstLine(e.getMessage()), e);
    }
    out.println(buffer);
    out.flush();
  }

  /** Copies a page's items ({@code Page} or bare array) to {@code gen}; returns the next cursor. */
  private static String copyItems(String body, JsonGenerator gen) throws IOException {
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_ARRAY) {
        copyArray(p, gen);
        return null;
      }
      if (first != JsonToken.START_OBJECT) {
        throw new JsonParseException(p, "expected a JSON object or array");
      }
      String next = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("items") && value == JsonToken.START_ARRAY) {
          copyArray(p, gen);
        } else if (field.equals("items") && value != JsonToken.VALUE_NULL) {
          throw new JsonParseException(p, "'items' is not an array");
        } else if (field.equals("nextCursor") && value == JsonToken.VALUE_STRING) {
          next = p.getText();
        } else {
          p.skipChildren();
        }
      }
      return next;
    }
  }

  private static void copyArray(JsonParser p, JsonGenerator gen) throws IOException {
    while (p.nextToken() != JsonToken.END_ARRAY) {
      gen.copyCurrentStructure(p);
    }
  }

  /** One page of a listing and the cursor of the next, null on the last. */
  public record ListResult<T>(List<T> items, String nextCursor) {}

  /** Follows cursors until {@code limit} items (or all when limit is 0). */
  public <T> List<T> listAll(String path, Class<T> itemType, int limit) {
    return convert(listAllTree(path, limit), itemType);
  }

  /** Follows cursors like {@link #listAll}, keeping the items as the API's JSON. */
  public List<JsonNode> listAllTree(String path, int limit) {
    List<JsonNode> out = new ArrayList<>();
    String cursor = null;
    do {
      String p =
          cursor == null ? path : path + (path.contains("?") ? "&" : "?") + "cursor=" + enc(cursor);
      ListResult<JsonNode> page = listTree(p);
      out.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null && (limit <= 0 || out.size() < limit));
    return limit > 0 && out.size() > limit ? out.subList(0, limit) : out;
  }

  private <T> List<T> convert(List<JsonNode> items, Class<T> itemType) {
    JavaType listType = mapper().getTypeFactory().constructCollectionType(List.class, itemType);
    try {
      return mapper().convertValue(items, listType);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          ExitCodes.ERROR, "unexpected answer from the API: " + e.getMessage(), e);
    }
  }

  private <T> T read(String body, JavaType type) {
    if (type.getRawClass() == Void.class || body.isEmpty()) {
      return null;
    }
    try {
      return mapper().readValue(body, type);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "unexpected answer from the API: " + firstLine(e.getMessage()), e);
    }
  }

  private String send(String method, String path, Object body, boolean authenticated) {
    URI uri = URI.create(base + path);
    try {
      byte[] payload = body == null ? null : mapper().writeValueAsBytes(body);
      HttpURLConnection conn = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
      conn.setRequestMethod(method);
      conn.setInstanceFollowRedirects(false);
      conn.setUseCaches(false);
      conn.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
      conn.setReadTimeout(READ_TIMEOUT_MILLIS);
      conn.setRequestProperty("Accept", "application/json");
      if (authenticated) {
        conn.setRequestProperty("Authorization", "Bearer " + bearer.get());
      }
      if (payload != null) {
        conn.setRequestProperty("Content-Type", "application/json");
      }
      if (debug != null) {
        debug.println("> " + method + " " + uri);
        debug.flush();
      }
      if (payload != null || method.equals("POST")) {
        byte[] bytes = payload == null ? new byte[0] : payload;
        conn.setDoOutput(true);
        conn.setFixedLengthStreamingMode(bytes.length);
        try (OutputStream os = conn.getOutputStream()) {
          os.write(bytes);
        }
      }
      int status = conn.getResponseCode();
      if (debug != null) {
        debug.println("< " + status + " " + method + " " + uri);
        debug.flush();
      }
      // Read to the end and not disconnect(): the connection goes back to the keep-alive cache
      // for the next page of a listing.
      String text = readBody(status / 100 == 2 ? conn.getInputStream() : conn.getErrorStream());
      if (status / 100 == 2) {
        return text;
      }
      throw errorFor(status, text);
    } catch (SocketTimeoutException e) {
      throw new CliException(ExitCodes.ERROR, "the API at " + base + " did not answer in time", e);
    } catch (ConnectException | NoRouteToHostException | UnknownHostException e) {
      throw new CliException(ExitCodes.ERROR, "cannot reach the API at " + base, e);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.ERROR, "request to " + base + " failed: " + firstLine(e.toString()), e);
    }
  }

  private static String readBody(InputStream in) throws IOException {
    if (in == null) {
      return "";
    }
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  CliException errorFor(int status, String body) {
    String message = null;
    try {
      ErrorResponse error = mapper().readValue(body, ErrorResponse.class);
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
