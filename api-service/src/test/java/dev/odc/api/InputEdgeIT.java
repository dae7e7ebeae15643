package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import dev.odc.database.Cursor;
import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What users can send that PostgreSQL, Java's HTTP client or a log cannot take: control characters
 * (NUL above all), instants and cursors outside PostgreSQL's range, numbers in strings, fractions
 * where whole numbers belong, vanishing durations, and bearer tokens in the URL. Each must be a 400
 * with the one error shape before anything is written, never a 500.
 */
class InputEdgeIT {
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();

  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP = TestServers.app(DB, OIDC);

  static final ObjectMapper MAPPER = Json.newMapper();

  @AfterAll
  static void stopOidc() {
    OIDC.shutdown();
  }

  static String token() {
    return OIDC.issueToken(
            TestServers.ISSUER_ID,
            "sub-edgar",
            TestServers.AUDIENCE,
            Map.of("preferred_username", "edgar"))
        .serialize();
  }

  static HttpResponse<String> send(String method, String path, String bearer, String body)
      throws Exception {
    return TestServers.send(APP, method, path, bearer, body);
  }

  static void assertBadRequest(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonNode error = MAPPER.readTree(response.body());
    assertThat(error.path("code").asText())
        .as(response.body())
        .isIn("INVALID_ARGUMENT", "MALFORMED_REQUEST");
    assertThat(error.path("message").asText()).isNotBlank();
  }

  static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static long rows(String table) {
    return DB.jdbi()
        .withHandle(h -> h.createQuery("select count(*) from " + table).mapTo(Long.class).one());
  }

  @Test
  void aNulByteInAReservationIsRefused() throws Exception {
    String token = token();
    long before = rows("reservations");
    assertBadRequest(
        send(
            "POST",
            "/v1/reservations",
            token,
            "{\"gpuType\":\"h100\\u0000\",\"gpuCount\":1,\"hours\":1}"));
    assertBadRequest(
        send(
            "POST",
            "/v1/reservations",
            token,
            "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"name\":\"a\\u0007b\"}"));
    assertThat(rows("reservations")).isEqualTo(before);
  }

  @Test
  void controlCharactersInQueryParametersAndPathsAreRefused() throws Exception {
    String token = token();
    for (String param : List.of("action", "resourceType", "resourceId", "actor", "outcome")) {
      assertBadRequest(send("GET", "/v1/audit?" + param + "=" + q("x\u0000y"), token, null));
    }
    assertBadRequest(send("GET", "/v1/reservations?user=" + q("bob\u0000"), token, null));
    assertBadRequest(send("GET", "/v1/reservations?status=" + q("ACTIVE\u0000"), token, null));
    assertBadRequest(send("GET", "/v1/disks/" + q("home\u0000"), token, null));
    assertBadRequest(send("GET", "/v1/reservations/" + q("abc\u0001def"), token, null));
  }

  @Test
  void instantsAndCursorsOutsidePostgresRangeAreRefused() throws Exception {
    String token = token();
    for (String since :
        List.of("-5000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z")) {
      assertBadRequest(send("GET", "/v1/audit?since=" + q(since), token, null));
      assertBadRequest(send("GET", "/v1/audit?until=" + q(since), token, null));
    }
    for (Instant at :
        List.of(
            Instant.parse("-5000-01-01T00:00:00Z"),
            Instant.ofEpochSecond(Long.MAX_VALUE / 2_000_000))) {
      String cursor = new Cursor(at, UUID.randomUUID()).encode();
      assertBadRequest(send("GET", "/v1/reservations?cursor=" + q(cursor), token, null));
      assertBadRequest(send("GET", "/v1/disks?cursor=" + q(cursor), token, null));
    }
  }

  @Test
  void unauthenticatedAwsLoginHeadersWithControlCharactersAreRefused() throws Exception {
    for (String value : List.of("AWS4-HMAC-SHA256 x\r\nX-Injected: 1", "AWS4\u0000", "a\nb")) {
      String body =
          MAPPER.writeValueAsString(
              Map.of(
                  "region",
                  "us-east-1",
                  "headers",
                  Map.of("Authorization", value),
                  "body",
                  "Action=GetCallerIdentity&Version=2011-06-15"));
      assertBadRequest(send("POST", "/v1/auth/aws-login", null, body));
    }
  }

  @Test
  void numbersAreNotCoercedAndDurationsMustBeReal() throws Exception {
    String token = token();
    long before = rows("reservations");
    for (String body :
        List.of(
            "{\"gpuType\":\"t4\",\"gpuCount\":\"1\",\"hours\":1}",
            "{\"gpuType\":\"t4\",\"gpuCount\":1.9,\"hours\":1}",
            "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":\"1\"}",
            "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1e-300}",
            "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":0.001}")) {
      assertBadRequest(send("POST", "/v1/reservations", token, body));
    }
    assertBadRequest(send("POST", "/v1/api-keys", token, "{\"name\":\"k\",\"ttlHours\":\"5\"}"));
    assertBadRequest(send("POST", "/v1/api-keys", token, "{\"name\":\"k\",\"ttlHours\":1.5}"));
    assertThat(rows("reservations")).isEqualTo(before);
  }

  @Test
  void aBearerTokenInTheUrlIsNeverAccepted() throws Exception {
    String token = token();
    assertThat(send("GET", "/v1/me", token, null).statusCode()).isEqualTo(200);
    HttpResponse<String> inUrl = send("GET", "/v1/me?access_token=" + q(token), null, null);
    assertThat(inUrl.statusCode()).as(inUrl.body()).isIn(400, 401);
    assertThat(inUrl.body()).doesNotContain(token);
  }
}
