package dev.odc.cronjobs.expiry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posts warnings as JSON to a webhook. The body has a top-level {@code text}, so a Slack (or
 * Mattermost, or Teams workflow) incoming webhook shows it as is, plus structured fields for other
 * receivers. The URL often embeds a secret, so it is never logged.
 */
public final class WebhookNotifier {
  private static final ObjectMapper MAPPER = Json.newMapper();

  private final URI url;
  private final HttpClient http;
  private final Duration timeout;

  public WebhookNotifier(URI url, Duration timeout) {
    this.url = requireNonNull(url, "url is null");
    if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme())) {
      throw new IllegalArgumentException("webhook URL must be http or https");
    }
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * @throws IOException when the receiver cannot be reached or answers with a non-2xx status
   */
  public void post(String text, Map<String, Object> fields)
      throws IOException, InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>(fields);
    body.put("text", text);
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)))
            .build();
    HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("webhook answered HTTP " + response.statusCode());
    }
  }
}
