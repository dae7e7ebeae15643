package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.api.auth.AwsIamAuthProvider;
import dev.odc.core.ErrorCode;
import dev.odc.core.Json;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.core.api.AwsLoginRequest;
import dev.odc.core.api.ErrorResponse;
import dev.odc.core.api.Me;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.MotoServer;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * {@code POST /v1/auth/aws-login} against a real STS API (moto_server): the client presigns
 * GetCallerIdentity with the AWS SDK's SigV4 signer; the server forwards it to its configured
 * endpoint and issues an API key for the ARN STS answers with.
 */
class AwsLoginIT {
  static final MotoServer MOTO = MotoServer.start();
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();
  static final String STS = MOTO.endpoint() + "/";

  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP =
      TestServers.app(DB, OIDC, ConfigOverride.config("aws.stsEndpoint", STS));

  static final Client CLIENT = ClientBuilder.newClient();
  static final ObjectMapper MAPPER = Json.newMapper();

  @AfterAll
  static void stop() {
    CLIENT.close();
    OIDC.shutdown();
    MOTO.close();
  }

  /** What the CLI does: sign GetCallerIdentity for the STS endpoint, send only the signature. */
  static AwsLoginRequest presigned(String body) {
    return presigned(body, "AKIAIOSFODNN7EXAMPLE");
  }

  static AwsLoginRequest presigned(String body, String accessKeyId) {
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(STS))
            .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .build();
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(accessKeyId, "test-secret"))
                        .request(request)
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
    Map<String, String> headers = new LinkedHashMap<>();
    signed.request().headers().forEach((name, values) -> headers.put(name, values.get(0)));
    return new AwsLoginRequest("us-east-1", headers, body);
  }

  static Response login(Object request) throws Exception {
    return CLIENT
        .target("http://localhost:" + APP.getLocalPort() + "/v1/auth/aws-login")
        .request(MediaType.APPLICATION_JSON)
        .post(Entity.entity(MAPPER.writeValueAsString(request), MediaType.APPLICATION_JSON));
  }

  /** The user an admin mapped the AWS identity to, created by a single sign-on login. */
  static void ssoLogin(String username) {
    String token =
        OIDC.issueToken(
                TestServers.ISSUER_ID,
                "sub-" + username,
                TestServers.AUDIENCE,
                Map.of("preferred_username", username, "groups", List.of("odc-admins")))
            .serialize();
    Response me =
        CLIENT
            .target("http://localhost:" + APP.getLocalPort() + "/v1/me")
            .request(MediaType.APPLICATION_JSON)
            .header("Authorization", "Bearer " + token)
            .get();
    assertThat(me.getStatus()).as(me.readEntity(String.class)).isEqualTo(200);
  }

  /** Assumes a role at moto with a session name the caller picks; returns the access key id. */
  static String assumeRole(String sessionName) throws Exception {
    String body =
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/dev"
            + "&RoleSessionName="
            + sessionName;
    AwsLoginRequest signed = presigned(body, "AKIAIOSFODNN7EXAMPLE");
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(URI.create(STS))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
    signed
        .headers()
        .forEach(
            (name, value) -> {
              if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                request.header(name, value);
              }
            });
    java.net.http.HttpResponse<String> response =
        java.net.http.HttpClient.newHttpClient()
            .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    java.util.regex.Matcher id =
        java.util.regex.Pattern.compile("<AccessKeyId>([^<]+)</AccessKeyId>")
            .matcher(response.body());
    assertThat(id.find()).as(response.body()).isTrue();
    return id.group(1);
  }

  static long auditRows(String action, String outcome) {
    return DB.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "select count(*) from audit_log where action = :action"
                            + " and outcome = :outcome")
                    .bind("action", action)
                    .bind("outcome", outcome)
                    .mapTo(Long.class)
                    .one());
  }

  @Test
  void aSessionNameTheCallerPicksNeverBecomesOrTakesAUsername() throws Exception {
    String daveKeyId = assumeRole("dave");
    Response squat = login(presigned(AwsIamAuthProvider.BODY, daveKeyId));
    String text = squat.readEntity(String.class);
    assertThat(squat.getStatus()).as(text).isEqualTo(401);
    // the real dave logs in with single sign-on afterwards, unhindered
    ssoLogin("dave");
    // and an unmapped AWS identity still does not become him
    Response again = login(presigned(AwsIamAuthProvider.BODY, daveKeyId));
    assertThat(again.getStatus()).isEqualTo(401);
    again.close();
  }

  @Test
  void refusedLoginsAreAuditedAtABoundedRate() throws Exception {
    String keyId = assumeRole("mallory");
    long before = auditRows("auth.aws-login", "denied");
    for (int i = 0; i < 40; i++) {
      Response refused = login(presigned(AwsIamAuthProvider.BODY, keyId));
      assertThat(refused.getStatus()).isEqualTo(401);
      refused.close();
    }
    assertThat(auditRows("auth.aws-login", "denied") - before).isBetween(1L, 10L);
  }

  @Test
  void aPresignedCallerIdentityIsExchangedForAShortLivedKey() throws Exception {
    ssoLogin("moto");
    Response response = login(presigned(AwsIamAuthProvider.BODY));
    String text = response.readEntity(String.class);
    assertThat(response.getStatus()).as(text).isEqualTo(201);
    ApiKeyCreated created = MAPPER.readValue(text, ApiKeyCreated.class);
    assertThat(created.key()).startsWith("odc_");
    assertThat(Duration.between(created.apiKey().createdAt(), created.apiKey().expiresAt()))
        .isEqualTo(Duration.ofHours(1));
    // no AWS secret ever travelled: the request holds only the signature
    assertThat(text).doesNotContain("test-secret");

    Response me =
        CLIENT
            .target("http://localhost:" + APP.getLocalPort() + "/v1/me")
            .request(MediaType.APPLICATION_JSON)
            .header("Authorization", "Bearer " + created.key())
            .get();
    Me who = MAPPER.readValue(me.readEntity(String.class), Me.class);
    assertThat(who.username()).isEqualTo("moto");
    // an AWS login proves who the caller is, not their ODC roles: no admin role, scoped key
    assertThat(who.roles()).containsExactly(dev.odc.core.Role.USER);
    assertThat(created.apiKey().scopes()).containsExactly("disks", "read", "reservations");
    Response mint =
        CLIENT
            .target("http://localhost:" + APP.getLocalPort() + "/v1/api-keys")
            .request(MediaType.APPLICATION_JSON)
            .header("Authorization", "Bearer " + created.key())
            .post(
                Entity.entity(
                    "{\"name\":\"longer\",\"ttlHours\":8760}", MediaType.APPLICATION_JSON));
    assertThat(mint.getStatus()).isEqualTo(403);
    mint.close();
    long logins =
        DB.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from audit_log where action = 'auth.aws-login'"
                                + " and outcome = 'success' and actor = 'moto'")
                        .mapTo(Long.class)
                        .one());
    assertThat(logins).isEqualTo(1);
  }

  @Test
  void requestsThatAreNotACallerIdentityCallAreRefused() throws Exception {
    long keysBefore =
        DB.jdbi()
            .withHandle(
                h -> h.createQuery("select count(*) from api_keys").mapTo(Long.class).one());
    // another STS action, even correctly signed, is never forwarded
    Response other = login(presigned("Action=AssumeRole&Version=2011-06-15"));
    ErrorResponse error = MAPPER.readValue(other.readEntity(String.class), ErrorResponse.class);
    assertThat(other.getStatus()).isEqualTo(400);
    assertThat(error.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    // without a signature
    Response unsigned =
        login(
            new AwsLoginRequest(
                "us-east-1", Map.of("X-Amz-Date", "20260101T000000Z"), AwsIamAuthProvider.BODY));
    assertThat(unsigned.getStatus()).isEqualTo(400);
    unsigned.close();
    // a request naming another endpoint cannot redirect the call: there is no field for it
    Response redirect =
        login(
            Map.of(
                "region",
                "us-east-1",
                "headers",
                Map.of(),
                "body",
                AwsIamAuthProvider.BODY,
                "endpoint",
                "http://evil.example/"));
    assertThat(redirect.getStatus()).isEqualTo(400);
    redirect.close();
    long keysAfter =
        DB.jdbi()
            .withHandle(
                h -> h.createQuery("select count(*) from api_keys").mapTo(Long.class).one());
    assertThat(keysAfter).isEqualTo(keysBefore);
  }
}
