package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys made with API keys: a child never outlives its parent nor gets more scopes, dies with
 * it, and no key keeps an admin role the identity provider has not stated lately; reserved
 * usernames are refused at login.
 */
class ApiKeyLineageIT {
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();

  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP = TestServers.app(DB, OIDC);

  static final ObjectMapper MAPPER = Json.newMapper();

  @AfterAll
  static void stopOidc() {
    OIDC.shutdown();
  }

  static String token(String user, List<String> groups) {
    return OIDC.issueToken(
            TestServers.ISSUER_ID,
            "sub-" + user,
            TestServers.AUDIENCE,
            Map.of("preferred_username", user, "groups", groups))
        .serialize();
  }

  static HttpResponse<String> send(String method, String path, String bearer, String body)
      throws Exception {
    return TestServers.send(APP, method, path, bearer, body);
  }

  static ApiKeyCreated createKey(String bearer, String body) throws Exception {
    HttpResponse<String> response = send("POST", "/v1/api-keys", bearer, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return MAPPER.readValue(response.body(), ApiKeyCreated.class);
  }

  @Test
  void aChildKeyNeverOutlivesNorOutScopesItsParent() throws Exception {
    String alice = token("alice", List.of());
    ApiKeyCreated parent =
        createKey(alice, "{\"name\":\"short\",\"ttlHours\":1,\"scopes\":[\"api-keys\",\"read\"]}");
    HttpResponse<String> longer =
        send(
            "POST",
            "/v1/api-keys",
            parent.key(),
            "{\"name\":\"long\",\"ttlHours\":8760,\"scopes\":[\"read\"]}");
    assertThat(longer.statusCode()).as(longer.body()).isEqualTo(403);
    HttpResponse<String> wider =
        send(
            "POST",
            "/v1/api-keys",
            parent.key(),
            "{\"name\":\"wide\",\"scopes\":[\"reservations\"]}");
    assertThat(wider.statusCode()).as(wider.body()).isEqualTo(403);
    // without ttlHours the default lifetime (30 days) is cut to the parent's
    ApiKeyCreated child = createKey(parent.key(), "{\"name\":\"child\",\"scopes\":[\"read\"]}");
    assertThat(child.apiKey().expiresAt()).isBeforeOrEqualTo(parent.apiKey().expiresAt());
  }

  @Test
  void revokingAKeyKillsEveryKeyMadeFromIt() throws Exception {
    String bob = token("bob", List.of());
    ApiKeyCreated root = createKey(bob, "{\"name\":\"root\",\"ttlHours\":2}");
    ApiKeyCreated child = createKey(root.key(), "{\"name\":\"child\"}");
    ApiKeyCreated grandchild = createKey(child.key(), "{\"name\":\"grandchild\"}");
    assertThat(send("GET", "/v1/me", grandchild.key(), null).statusCode()).isEqualTo(200);

    HttpResponse<String> revoked = send("DELETE", "/v1/api-keys/" + root.apiKey().id(), bob, null);
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(send("GET", "/v1/me", child.key(), null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/v1/me", grandchild.key(), null).statusCode()).isEqualTo(401);
    // and no new key can come from them
    assertThat(send("POST", "/v1/api-keys", child.key(), "{\"name\":\"x\"}").statusCode())
        .isEqualTo(401);
  }

  @Test
  void aKeyLosesTheAdminRoleWhenTheIdentityProviderHasNotConfirmedIt() throws Exception {
    String root = token("root", List.of("odc-admins"));
    ApiKeyCreated key = createKey(root, "{\"name\":\"admin-key\"}");
    assertThat(send("GET", "/v1/audit/verify", key.key(), null).statusCode()).isEqualTo(200);
    // the last login that stated the admin role was 13 hours ago (apiKeys.roleMaxAge is 12 h)
    DB.jdbi()
        .useHandle(
            h ->
                h.createUpdate("update users set roles_confirmed_at = :at where username = 'root'")
                    .bind("at", Instant.now().minusSeconds(13 * 3600))
                    .execute());
    assertThat(send("GET", "/v1/audit/verify", key.key(), null).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/v1/me", key.key(), null).statusCode()).isEqualTo(200);
  }

  @Test
  void reservedUsernamesAreRefusedAndCannotReadThePlatformsAuditRows() throws Exception {
    for (String name : List.of("system:api", "system", "aws:dave")) {
      String token =
          OIDC.issueToken(
                  TestServers.ISSUER_ID,
                  "sub-reserved-" + name,
                  TestServers.AUDIENCE,
                  Map.of("preferred_username", name))
              .serialize();
      HttpResponse<String> response = send("GET", "/v1/audit?actor=system:api", token, null);
      assertThat(response.statusCode()).as(name + ": " + response.body()).isEqualTo(403);
    }
    long users =
        DB.jdbi()
            .withHandle(
                h ->
                    h.createQuery("select count(*) from users where username like '%:%'")
                        .mapTo(Long.class)
                        .one());
    assertThat(users).isZero();
  }
}
