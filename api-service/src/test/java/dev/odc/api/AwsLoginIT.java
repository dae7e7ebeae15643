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
                    r.identity(AwsCredentialsIdentity.create("AKIAIOSFODNN7EXAMPLE", "test-secret"))
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

  @Test
  void aPresignedCallerIdentityIsExchangedForAShortLivedKey() throws Exception {
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
