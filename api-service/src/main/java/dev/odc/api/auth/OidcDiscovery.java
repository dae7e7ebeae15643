package dev.odc.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads an issuer's {@code /.well-known/openid-configuration}. */
public class OidcDiscovery {
  private static final ObjectMapper MAPPER = Json.newMapper();
  private final String issuer;
  private final HttpClient http;
  private final Duration timeout;

  public OidcDiscovery(String issuer, Duration timeout) {
    this.issuer = issuer;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public URI discoveryUri() {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(base + "/.well-known/openid-configuration");
  }

  /**
   * Fetches the discovery document and checks that it names our issuer.
   *
   * @return the {@code jwks_uri}
   * @throws IOException when it cannot be fetched, is not JSON, or describes another issuer
   */
  public URI fetchJwksUri() throws IOException {
    return URI.create(fetchDocument().endpoint("jwks_uri"));
  }

  /** The discovery document's fields that ODC reads. */
  public record Document(JsonNode json, URI source) {
    /**
     * @throws IOException when the document lacks this endpoint
     */
    public String endpoint(String field) throws IOException {
      String value = json.path(field).asText("");
      if (value.isEmpty()) {
        throw new IOException(source + " has no " + field);
      }
      return value;
    }
  }

  /**
   * Fetches the discovery document and checks that it names our issuer.
   *
   * @throws IOException when it cannot be fetched, is not JSON, or describes another issuer
   */
  public Document fetchDocument() throws IOException {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(discoveryUri())
                  .timeout(timeout)
                  .header("Accept", "application/json")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + discoveryUri(), e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(discoveryUri() + " answered HTTP " + response.statusCode());
    }
    JsonNode doc = MAPPER.readTree(response.body());
    String advertised = doc.path("issuer").asText("");
    if (!issuer.equals(advertised)) {
      throw new IOException(
          discoveryUri() + " describes issuer '" + advertised + "', not '" + issuer + "'");
    }
    return new Document(doc, discoveryUri());
  }
}
