package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.core.Json;
import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web console at the HTTP level, against the real api-service, database and mock-oauth2-server:
 * the server-side code flow (PKCE, state, nonce), the session cookie's attributes, CSRF and Origin
 * checks on state-changing calls, and admin pages refused to non-admins by the server.
 */
class ConsoleIT {
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();
  static final String CLIENT_ID = "odc-cli";

  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP =
      // each login is one enqueued token callback: a provider call that times out on a busy
      // machine would hand its callback to the next login, so the limit is generous here
      TestServers.app(DB, OIDC, ConfigOverride.config("oidc.httpTimeout", "30s"));

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @AfterAll
  static void stopOidc() {
    OIDC.shutdown();
  }

  private String base() {
    return "http://localhost:" + APP.getLocalPort();
  }

  /** A signed-in browser: its session cookie (name=value) and CSRF token. */
  record Browser(String cookie, String csrf) {}

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> values = new HashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      values.put(kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
    }
    return values;
  }

  private static String cookiePair(String setCookie) {
    return setCookie.split(";", 2)[0];
  }

  private static String setCookie(HttpResponse<?> response, String name) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(name + "="))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Set-Cookie " + name + ": " + response.headers()));
  }

  /** Runs the whole login as a browser would, up to the session cookie. */
  private Browser login(String username, List<String> groups) throws Exception {
    OIDC.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            TestServers.ISSUER_ID,
            "sub-" + username,
            "JWT",
            List.of(TestServers.AUDIENCE, CLIENT_ID),
            Map.of("preferred_username", username, "groups", groups),
            3600L));
    HttpResponse<String> start =
        send(HttpRequest.newBuilder(URI.create(base() + "/login?next=%2Freservations")));
    assertThat(start.statusCode()).isEqualTo(303);
    URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
    Map<String, String> params = query(authorize);
    assertThat(params)
        .containsEntry("response_type", "code")
        .containsEntry("client_id", CLIENT_ID)
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("redirect_uri", base() + "/auth/callback")
        .containsKeys("state", "nonce", "code_challenge");
    String loginCookie = setCookie(start, "__Secure-odc_console_login");
    assertThat(loginCookie).contains("HttpOnly").contains("Secure").contains("SameSite=Lax");

    HttpResponse<String> idp = send(HttpRequest.newBuilder(authorize));
    assertThat(idp.statusCode()).isEqualTo(302);
    URI callback = URI.create(idp.headers().firstValue("Location").orElseThrow());
    assertThat(query(callback)).containsEntry("state", params.get("state"));

    HttpResponse<String> back =
        send(HttpRequest.newBuilder(callback).header("Cookie", cookiePair(loginCookie)));
    assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
    assertThat(back.headers().firstValue("Location")).hasValue(base() + "/reservations");
    String session = setCookie(back, "__Host-odc_console");
    assertThat(session)
        .contains("Path=/")
        .contains("HttpOnly")
        .contains("Secure")
        .contains("SameSite=Lax")
        .doesNotContain("Domain");
    String cookie = cookiePair(session);

    HttpResponse<String> info =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/console/api/session"))
                .header("Cookie", cookie));
    assertThat(info.statusCode()).isEqualTo(200);
    JsonNode json = Json.newMapper().readTree(info.body());
    assertThat(json.path("username").asText()).isEqualTo(username);
    // the tokens stay on the server: no JWT reaches the browser, in a body or a cookie
    assertThat(info.body()).doesNotContain("eyJ");
    assertThat(session).doesNotContain("eyJ");
    return new Browser(cookie, json.path("csrfToken").asText());
  }

  private HttpResponse<String> post(Browser b, String path, String body, String origin, String csrf)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("Cookie", b.cookie())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      r.header("Origin", origin);
    }
    if (csrf != null) {
      r.header("X-CSRF-Token", csrf);
    }
    return send(r);
  }

  private int reservationsOf(String username) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.createQuery("select count(*) from reservations where username = :u")
                    .bind("u", username)
                    .mapTo(Integer.class)
                    .one());
  }

  @Test
  void stateChangingCallsNeedThisOriginAndTheSessionsCsrfToken() throws Exception {
    Browser erin = login("erin", List.of());
    String body = "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}";

    HttpResponse<String> foreign =
        post(erin, "/console/api/reservations", body, "http://evil.example", erin.csrf());
    assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(403);
    assertThat(foreign.body()).contains("FORBIDDEN").contains("Origin");
    HttpResponse<String> noOrigin =
        post(erin, "/console/api/reservations", body, null, erin.csrf());
    assertThat(noOrigin.statusCode()).isEqualTo(403);
    HttpResponse<String> noToken = post(erin, "/console/api/reservations", body, base(), null);
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body()).contains("X-CSRF-Token");
    HttpResponse<String> wrongToken =
        post(erin, "/console/api/reservations", body, base(), erin.csrf() + "x");
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    assertThat(reservationsOf("erin")).isZero();

    HttpResponse<String> created =
        post(erin, "/console/api/reservations", body, base(), erin.csrf());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
    assertThat(reservationsOf("erin")).isEqualTo(1);
    String id = Json.newMapper().readTree(created.body()).path("id").asText();

    // the same service rules as the API: bad input is a clear 400, not a 500
    HttpResponse<String> bad =
        post(
            erin,
            "/console/api/reservations",
            "{\"gpuType\":\"nope\",\"gpuCount\":1,\"hours\":1}",
            base(),
            erin.csrf());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("INVALID_ARGUMENT").contains("gpuType");

    HttpResponse<String> cancelFromElsewhere =
        post(
            erin,
            "/console/api/reservations/" + id + "/cancel",
            "",
            "http://evil.example",
            erin.csrf());
    assertThat(cancelFromElsewhere.statusCode()).isEqualTo(403);
    HttpResponse<String> cancel =
        post(erin, "/console/api/reservations/" + id + "/cancel", "", base(), erin.csrf());
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    assertThat(cancel.body()).contains("CANCELLED");
  }

  @Test
  void usersSeeOnlyTheirOwnReservations() throws Exception {
    Browser frank = login("frank", List.of());
    Browser gina = login("gina", List.of());
    HttpResponse<String> created =
        post(
            frank,
            "/console/api/reservations",
            "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}",
            base(),
            frank.csrf());
    String id = Json.newMapper().readTree(created.body()).path("id").asText();
    HttpResponse<String> peek =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/console/api/reservations/" + id))
                .header("Cookie", gina.cookie()));
    assertThat(peek.statusCode()).isEqualTo(404);
    HttpResponse<String> cancel =
        post(gina, "/console/api/reservations/" + id + "/cancel", "", base(), gina.csrf());
    assertThat(cancel.statusCode()).isEqualTo(404);
  }

  @Test
  void adminPagesAndCallsAreRefusedToNonAdminsByTheServer() throws Exception {
    Browser user = login("hank", List.of());
    for (String page : List.of("/admin/audit", "/admin/users", "/admin/reservations")) {
      HttpResponse<String> r =
          send(HttpRequest.newBuilder(URI.create(base() + page)).header("Cookie", user.cookie()));
      assertThat(r.statusCode()).as(page).isEqualTo(403);
      assertThat(r.body()).contains("Admins only").doesNotContain("console.js");
    }
    for (String call :
        List.of(
            "admin/audit",
            "admin/audit.csv",
            "admin/audit/verify",
            "admin/users",
            "admin/reservations")) {
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(URI.create(base() + "/console/api/" + call))
                  .header("Cookie", user.cookie()));
      assertThat(r.statusCode()).as(call).isEqualTo(403);
      assertThat(r.body()).contains("FORBIDDEN");
    }

    Browser admin = login("ivy", List.of("odc-admins"));
    assertThat(
            send(HttpRequest.newBuilder(URI.create(base() + "/admin/audit"))
                    .header("Cookie", admin.cookie()))
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> audit =
        send(
            HttpRequest.newBuilder(
                    URI.create(base() + "/console/api/admin/audit?actor=hank&limit=5"))
                .header("Cookie", admin.cookie()));
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(audit.body()).contains("user.create");
    HttpResponse<String> csv =
        send(
            HttpRequest.newBuilder(
                    URI.create(base() + "/console/api/admin/audit.csv?action=user.create"))
                .header("Cookie", admin.cookie()));
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    assertThat(csv.body()).startsWith("id,at,actor,action").contains("\"user.create\"");
    HttpResponse<String> verify =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/console/api/admin/audit/verify"))
                .header("Cookie", admin.cookie()));
    assertThat(verify.body()).contains("\"intact\":true");
  }

  @Test
  void withoutASessionPagesRedirectToLoginAndCallsAnswer401() throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base() + "/reservations")));
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/login?next=%2Freservations"));
    HttpResponse<String> call =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/console/api/reservations"))
                .header("Cookie", "__Host-odc_console=forged"));
    assertThat(call.statusCode()).isEqualTo(401);
    assertThat(call.body()).contains("UNAUTHENTICATED");
    HttpResponse<String> asset =
        send(HttpRequest.newBuilder(URI.create(base() + "/console/static/console.js")));
    assertThat(asset.statusCode()).isEqualTo(200);
    assertThat(asset.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(p -> assertThat(p).contains("default-src 'self'"));
    // only the console's own files: no other name, no way out of its directory
    assertThat(
            send(HttpRequest.newBuilder(URI.create(base() + "/console/static/index.html")))
                .statusCode())
        .isEqualTo(404);
    assertThat(
            send(HttpRequest.newBuilder(
                    URI.create(base() + "/console/static/..%2Fconsole%2Findex.html")))
                .statusCode())
        .isIn(400, 404);
  }

  @Test
  void aCallbackIsRefusedWithoutItsBrowserCookieAndWorksOnlyOnce() throws Exception {
    OIDC.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            TestServers.ISSUER_ID,
            "sub-jo",
            "JWT",
            List.of(TestServers.AUDIENCE, CLIENT_ID),
            Map.of("preferred_username", "jo"),
            3600L));
    HttpResponse<String> start = send(HttpRequest.newBuilder(URI.create(base() + "/login")));
    String loginCookie = cookiePair(setCookie(start, "__Secure-odc_console_login"));
    URI authorize = URI.create(start.headers().firstValue("Location").orElseThrow());
    URI callback =
        URI.create(
            send(HttpRequest.newBuilder(authorize)).headers().firstValue("Location").orElseThrow());

    // an attacker's callback URL opened in a victim's browser: no login cookie of that state
    HttpResponse<String> foreign = send(HttpRequest.newBuilder(callback));
    assertThat(foreign.statusCode()).isEqualTo(400);
    assertThat(foreign.body()).contains("not started in this browser");
    assertThat(foreign.headers().allValues("Set-Cookie"))
        .noneMatch(c -> c.startsWith("__Host-odc_console="));

    HttpResponse<String> ok = send(HttpRequest.newBuilder(callback).header("Cookie", loginCookie));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(303);
    HttpResponse<String> replay =
        send(HttpRequest.newBuilder(callback).header("Cookie", loginCookie));
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(replay.body()).contains("expired or was already used");
  }

  @Test
  void logoutEndsTheSessionOnTheServer() throws Exception {
    Browser kim = login("kim", List.of());
    HttpResponse<String> forged = post(kim, "/logout", "", "http://evil.example", kim.csrf());
    assertThat(forged.statusCode()).isEqualTo(403);
    HttpResponse<String> out = post(kim, "/logout", "", base(), kim.csrf());
    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(setCookie(out, "__Host-odc_console")).contains("Max-Age=0");
    HttpResponse<String> after =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/console/api/session"))
                .header("Cookie", kim.cookie()));
    assertThat(after.statusCode()).isEqualTo(401);
    int left =
        DB.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from console_sessions s join users u"
                                + " on u.id = s.user_id where u.username = 'kim'")
                        .mapTo(Integer.class)
                        .one());
    assertThat(left).isZero();
  }
}
