package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.odc.core.ApiKey;
import dev.odc.core.AuditEvent;
import dev.odc.core.Disk;
import dev.odc.core.ErrorCode;
import dev.odc.core.Json;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.Role;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.AuthConfig;
import dev.odc.core.api.Availability;
import dev.odc.core.api.ErrorResponse;
import dev.odc.core.api.Me;
import dev.odc.core.api.Page;
import dev.odc.core.queue.ReservationMessage;
import dev.odc.database.ApiKeyDao;
import dev.odc.database.UserDao;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real application against embedded PostgreSQL and mock-oauth2-server: identity, every
 * endpoint, isolation between users, bad tokens, bad input, atomicity and the audit chain.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiServiceIT {
  static final PostgresExtension DB = TestServers.cleanDatabase();
  static final MockOAuth2Server OIDC = TestServers.startedOidc();

  @RegisterExtension
  static final DropwizardAppExtension<ApiConfiguration> APP = TestServers.app(DB, OIDC);

  static final ObjectMapper MAPPER = Json.newMapper();

  /** JDK connections, unpooled: a test that only looks at the status cannot starve the others. */
  static final Client CLIENT = ClientBuilder.newClient();

  @AfterAll
  static void stopOidc() {
    CLIENT.close();
    OIDC.shutdown();
  }

  // ---- helpers

  static String token(String user, List<String> groups) {
    return OIDC.issueToken(
            TestServers.ISSUER_ID,
            "sub-" + user,
            TestServers.AUDIENCE,
            Map.of("preferred_username", user, "groups", groups, "email", user + "@example.com"))
        .serialize();
  }

  static String alice() {
    return token("alice", List.of("developers"));
  }

  static String bob() {
    return token("bob", List.of());
  }

  static String admin() {
    return token("root", List.of("odc-admins"));
  }

  static Invocation.Builder call(String path, String bearer) {
    Invocation.Builder builder =
        CLIENT
            .target(URI.create("http://localhost:" + APP.getLocalPort() + path))
            .request(MediaType.APPLICATION_JSON);
    return bearer == null ? builder : builder.header("Authorization", "Bearer " + bearer);
  }

  static Response post(String path, String bearer, String json) {
    return call(path, bearer).post(Entity.entity(json, MediaType.APPLICATION_JSON));
  }

  static <T> T read(Response response, Class<T> type) {
    try {
      return MAPPER.readValue(response.readEntity(String.class), type);
    } catch (Exception e) {
      throw new AssertionError("cannot read " + type.getSimpleName(), e);
    }
  }

  static <T> T read(Response response, TypeReference<T> type) {
    try {
      return MAPPER.readValue(response.readEntity(String.class), type);
    } catch (Exception e) {
      throw new AssertionError("cannot read " + type.getType(), e);
    }
  }

  /** Asserts the status and the one error shape, and returns the error. */
  static ErrorResponse error(Response response, int status, ErrorCode code) {
    String body = response.readEntity(String.class);
    assertThat(response.getStatus()).as(body).isEqualTo(status);
    assertThat(response.getMediaType().toString()).startsWith(MediaType.APPLICATION_JSON);
    try {
      ErrorResponse error = MAPPER.readValue(body, ErrorResponse.class);
      assertThat(error.code()).as(body).isEqualTo(code);
      assertThat(error.message()).isNotBlank();
      return error;
    } catch (Exception e) {
      throw new AssertionError("not the error shape: " + body, e);
    }
  }

  static Reservation reserve(String bearer, String body) {
    Response response = post("/v1/reservations", bearer, body);
    String text = response.readEntity(String.class);
    assertThat(response.getStatus()).as(text).isEqualTo(202);
    try {
      return MAPPER.readValue(text, Reservation.class);
    } catch (Exception e) {
      throw new AssertionError(text, e);
    }
  }

  static Jdbi jdbi() {
    return DB.jdbi();
  }

  static long count(String table) {
    return jdbi()
        .withHandle(h -> h.createQuery("select count(*) from " + table).mapTo(Long.class).one());
  }

  static long queueLength() {
    return new Pgmq(jdbi()).metrics(ReservationMessage.QUEUE).queueLength();
  }

  /** Rows in reservations, audit_log, and messages on the reservations queue. */
  static List<Long> writes() {
    return List.of(count("reservations"), count("audit_log"), count("disks"), queueLength());
  }

  // ---- identity

  @Test
  @Order(1)
  void authConfigNeedsNoTokenAndNamesTheIssuer() {
    Response response = call("/v1/auth/config", null).get();
    assertThat(response.getStatus()).isEqualTo(200);
    AuthConfig config = read(response, AuthConfig.class);
    assertThat(config.issuer()).isEqualTo(OIDC.issuerUrl(TestServers.ISSUER_ID).toString());
    assertThat(config.clientId()).isEqualTo("odc-cli");
    assertThat(config.audience()).isEqualTo("odc");
    assertThat(config.awsLoginEnabled()).isTrue();
  }

  @Test
  @Order(2)
  void firstLoginCreatesTheUserWithRolesFromGroups() {
    Response response = call("/v1/me", alice()).get();
    assertThat(response.getStatus()).isEqualTo(200);
    Me me = read(response, Me.class);
    assertThat(me.username()).isEqualTo("alice");
    assertThat(me.email()).isEqualTo("alice@example.com");
    assertThat(me.roles()).containsExactly(Role.USER);
    assertThat(me.quota().maxConcurrentGpus()).isEqualTo(8);

    Me admin = read(call("/v1/me", admin()).get(), Me.class);
    assertThat(admin.roles()).containsExactlyInAnyOrder(Role.USER, Role.ADMIN);

    assertThat(jdbi().onDemand(UserDao.class).findByUsername("alice")).isPresent();
    long creations =
        jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from audit_log where action = 'user.create'"
                                + " and actor = 'alice'")
                        .mapTo(Long.class)
                        .one());
    assertThat(creations).isEqualTo(1);
    // a second login does not create another user
    call("/v1/me", alice()).get().close();
    assertThat(jdbi().onDemand(UserDao.class).list())
        .extracting("username")
        .containsOnlyOnce("alice");
  }

  @Test
  @Order(3)
  void everyBadTokenClassIsRefused() throws Exception {
    String valid = alice();
    assertThat(call("/v1/me", valid).get().getStatus()).isEqualTo(200);
    SignedJWT good = SignedJWT.parse(valid);
    JWTClaimsSet claims = good.getJWTClaimsSet();

    List<String> bad = new ArrayList<>();
    // expired an hour ago, far beyond the clock skew
    bad.add(
        OIDC.issueToken(
                TestServers.ISSUER_ID,
                "sub-alice",
                TestServers.AUDIENCE,
                Map.of("preferred_username", "alice"),
                -3600)
            .serialize());
    // signed by the same server for another issuer
    bad.add(
        OIDC.issueToken(
                "other", "sub-alice", TestServers.AUDIENCE, Map.of("preferred_username", "alice"))
            .serialize());
    // wrong audience
    bad.add(
        OIDC.issueToken(
                TestServers.ISSUER_ID,
                "sub-alice",
                "someone-else",
                Map.of("preferred_username", "alice"))
            .serialize());
    // alg: none
    bad.add(new PlainJWT(claims).serialize());
    // HS256 with the issuer's public key as the secret
    JWKSet jwks = JWKSet.load(OIDC.jwksUrl(TestServers.ISSUER_ID).url());
    RSAKey publicKey = (RSAKey) jwks.getKeys().get(0);
    SignedJWT hmac =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(publicKey.getKeyID()).build(), claims);
    hmac.sign(new MACSigner(publicKey.toRSAPublicKey().getEncoded()));
    bad.add(hmac.serialize());
    // a key the issuer never published
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("unknown-kid").generate();
    SignedJWT unknownKid =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("unknown-kid").build(), claims);
    unknownKid.sign(new RSASSASigner(stranger));
    bad.add(unknownKid.serialize());
    // the same kid as the real key, another key: the signature does not verify
    SignedJWT wrongKey =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(publicKey.getKeyID()).build(), claims);
    wrongKey.sign(new RSASSASigner(stranger));
    bad.add(wrongKey.serialize());
    // tampered payload: admin group added after signing
    JWTClaimsSet elevated =
        new JWTClaimsSet.Builder(claims).claim("groups", List.of("odc-admins")).build();
    String[] parts = valid.split("\\.");
    bad.add(
        parts[0]
            + "."
            + Base64URL.encode(elevated.toString().getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2]);
    // garbage
    bad.add("garbage");
    bad.add("a.b.c");
    bad.add("odc_not-a-real-key");

    for (String token : bad) {
      Response response = call("/v1/me", token).get();
      assertThat(response.getHeaderString("WWW-Authenticate")).startsWith("Bearer");
      error(response, 401, ErrorCode.UNAUTHENTICATED);
    }
    error(call("/v1/me", null).get(), 401, ErrorCode.UNAUTHENTICATED);
    // the tampered token did not make alice an admin, nor did any token create a user
    assertThat(jdbi().onDemand(UserDao.class).findByUsername("alice").orElseThrow().roles())
        .containsExactly(Role.USER);
  }

  // ---- reservations

  @Test
  @Order(10)
  void reserveWritesRowAuditAndQueueMessage() {
    List<Long> before = writes();
    Reservation r =
        reserve(
            alice(),
            "{\"gpuType\":\"h100\",\"gpuCount\":2,\"hours\":4,\"name\":\"train-1\","
                + "\"labels\":{\"team\":\"ml\"},\"disk\":\"none\"}");
    assertThat(r.status()).isEqualTo(ReservationStatus.PENDING);
    assertThat(r.username()).isEqualTo("alice");
    assertThat(r.gpuCount()).isEqualTo(2);
    assertThat(r.nodeCount()).isEqualTo(1);
    assertThat(r.labels()).containsEntry("team", "ml");
    assertThat(r.diskName()).isNull();
    assertThat(r.image()).isNotBlank();
    assertThat(r.queuePosition()).isEqualTo(1);
    assertThat(r.statusHistory()).extracting("status").containsExactly(ReservationStatus.PENDING);

    List<Long> after = writes();
    assertThat(after.get(0)).isEqualTo(before.get(0) + 1);
    assertThat(after.get(1)).isEqualTo(before.get(1) + 1);
    assertThat(after.get(3)).isEqualTo(before.get(3) + 1);
    var message =
        new Pgmq(jdbi())
            .read(ReservationMessage.QUEUE, java.time.Duration.ZERO, 10, ReservationMessage.class);
    assertThat(message)
        .extracting(m -> m.message())
        .contains(new ReservationMessage(r.id(), ReservationMessage.Action.PROVISION));
    Page<AuditEvent> audit =
        read(
            call("/v1/audit?action=reservation.create&resourceId=" + r.id(), alice()).get(),
            new TypeReference<Page<AuditEvent>>() {});
    assertThat(audit.items()).hasSize(1);
    assertThat(audit.items().get(0).actor()).isEqualTo("alice");
    assertThat(audit.items().get(0).details()).containsEntry("gpuType", "h100");

    // full id and 8-character prefix both find it
    assertThat(read(call("/v1/reservations/" + r.id(), alice()).get(), Reservation.class).id())
        .isEqualTo(r.id());
    assertThat(read(call("/v1/reservations/" + r.shortId(), alice()).get(), Reservation.class).id())
        .isEqualTo(r.id());
  }

  @Test
  @Order(11)
  void aFailureAfterTheInsertLeavesNothing() {
    List<Long> before = writes();
    // the queue write is the transaction's last step: make it fail
    jdbi()
        .useHandle(
            h -> {
              h.execute(
                  "create or replace function odc_test_fail() returns trigger language plpgsql as"
                      + " $$ begin raise exception 'injected failure'; end $$");
              h.execute(
                  "create trigger odc_test_fail before insert on pgmq.q_reservations"
                      + " for each row execute function odc_test_fail()");
            });
    try {
      Response response =
          post("/v1/reservations", alice(), "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1}");
      ErrorResponse error = error(response, 500, ErrorCode.INTERNAL);
      assertThat(error.message()).doesNotContain("injected");
      assertThat(error.details()).containsKey("errorId");
    } finally {
      jdbi().useHandle(h -> h.execute("drop trigger odc_test_fail on pgmq.q_reservations"));
    }
    assertThat(writes()).isEqualTo(before);
  }

  @Test
  @Order(12)
  void badInputIsAnsweredWithTheErrorShapeAndWritesNothing() {
    List<Long> before = writes();
    String a = alice();
    record Case(String body, int status, ErrorCode code, String mentions) {}
    List<Case> cases =
        List.of(
            new Case(
                "{\"gpuType\":\"v100\",\"gpuCount\":1,\"hours\":1}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "v100"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":9,\"hours\":1}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "gpuCount"),
            new Case(
                "{\"gpuType\":\"t4\",\"gpuCount\":5,\"hours\":1}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "gpuCount"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":0}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "hours"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":-2}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "hours"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":25}",
                422,
                ErrorCode.LIMIT_EXCEEDED,
                "24"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1}", 400, ErrorCode.INVALID_ARGUMENT, "hours"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"nodeCount\":9}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "nodeCount"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"name\":\"Bad_Name\"}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "name"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"name\":\"-x\"}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "name"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"disk\":\"../etc\"}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "disk"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"disk\":\"nosuchdisk\"}",
                404,
                ErrorCode.NOT_FOUND,
                "nosuchdisk"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"labels\":{\"bad key!\":\"x\"}}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "label"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"image\":\"a b\"}",
                400,
                ErrorCode.INVALID_ARGUMENT,
                "image"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"colour\":\"red\"}",
                400,
                ErrorCode.MALFORMED_REQUEST,
                "colour"),
            new Case(
                "{\"gpuType\":\"h100\",\"gpuCount\":\"two\",\"hours\":1}",
                400,
                ErrorCode.MALFORMED_REQUEST,
                "gpuCount"),
            new Case("{\"gpuType\":\"h100\",", 400, ErrorCode.MALFORMED_REQUEST, "JSON"),
            new Case("", 400, ErrorCode.INVALID_ARGUMENT, "body"),
            new Case("[1,2]", 400, ErrorCode.MALFORMED_REQUEST, "request body"));
    for (Case c : cases) {
      ErrorResponse error = error(post("/v1/reservations", a, c.body()), c.status(), c.code());
      assertThat(error.message() + error.details()).as(c.body()).contains(c.mentions());
    }
    // oversized body
    String huge =
        "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1,\"name\":\"" + "a".repeat(20_000) + "\"}";
    error(post("/v1/reservations", a, huge), 413, ErrorCode.PAYLOAD_TOO_LARGE);
    // wrong media type, unknown path, wrong method
    error(
        call("/v1/reservations", a).post(Entity.entity("gpuType=h100", MediaType.TEXT_PLAIN)),
        415,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    error(call("/v1/nothing-here", a).get(), 404, ErrorCode.NOT_FOUND);
    error(call("/v1/reservations", a).put(Entity.json("{}")), 405, ErrorCode.NOT_FOUND);
    // disks and extensions
    error(post("/v1/disks", a, "{\"name\":\"Home Dir\"}"), 400, ErrorCode.INVALID_ARGUMENT);
    error(
        post("/v1/disks", a, "{\"name\":\"big\",\"sizeGb\":100000}"),
        422,
        ErrorCode.LIMIT_EXCEEDED);
    error(
        post("/v1/disks", a, "{\"name\":\"neg\",\"sizeGb\":-1}"), 400, ErrorCode.INVALID_ARGUMENT);
    error(
        post("/v1/api-keys", a, "{\"name\":\"k\",\"ttlHours\":100000}"),
        422,
        ErrorCode.LIMIT_EXCEEDED);
    error(call("/v1/reservations?status=SLEEPING", a).get(), 400, ErrorCode.INVALID_ARGUMENT);
    error(
        call("/v1/reservations?cursor=bm90LWEtY3Vyc29y", a).get(), 400, ErrorCode.INVALID_ARGUMENT);
    error(call("/v1/audit?since=yesterday", a).get(), 400, ErrorCode.INVALID_ARGUMENT);

    // 4xx answers leave nothing written (the failed-login audit rows aside, there are none here)
    assertThat(writes()).isEqualTo(before);
  }

  @Test
  @Order(13)
  void limitsAreEnforcedAndNamed() {
    String b = bob();
    reserve(b, "{\"gpuType\":\"h100\",\"gpuCount\":8,\"hours\":2,\"disk\":\"none\"}");
    ErrorResponse tooMany =
        error(
            post("/v1/reservations", b, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}"),
            422,
            ErrorCode.LIMIT_EXCEEDED);
    assertThat(tooMany.details()).containsEntry("limit", "maxConcurrentGpus");
    assertThat(tooMany.message()).contains("8");

    Page<Reservation> mine =
        read(call("/v1/reservations", b).get(), new TypeReference<Page<Reservation>>() {});
    Reservation r = mine.items().get(0);
    Response extended = post("/v1/reservations/" + r.id() + "/extend", b, "{\"hours\":20}");
    assertThat(extended.getStatus()).isEqualTo(200);
    assertThat(read(extended, Reservation.class).hours()).isEqualTo(22.0);
    ErrorResponse total =
        error(
            post("/v1/reservations/" + r.id() + "/extend", b, "{\"hours\":24}"),
            422,
            ErrorCode.LIMIT_EXCEEDED);
    assertThat(total.details()).containsEntry("limit", "maxTotalHours");

    // cancelling frees the GPUs; a second cancel is refused
    Response cancelled = post("/v1/reservations/" + r.shortId() + "/cancel", b, "");
    assertThat(cancelled.getStatus()).isEqualTo(200);
    Reservation after = read(cancelled, Reservation.class);
    assertThat(after.status()).isEqualTo(ReservationStatus.CANCELLED);
    assertThat(after.endedAt()).isNotNull();
    assertThat(after.statusHistory())
        .extracting("status")
        .containsExactly(ReservationStatus.PENDING, ReservationStatus.CANCELLED);
    error(post("/v1/reservations/" + r.id() + "/cancel", b, ""), 409, ErrorCode.INVALID_STATE);
    error(
        post("/v1/reservations/" + r.id() + "/extend", b, "{\"hours\":1}"),
        409,
        ErrorCode.INVALID_STATE);
    reserve(b, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1,\"disk\":\"none\"}");

    // disks: at most 2
    assertThat(post("/v1/disks", b, "{\"name\":\"d1\"}").getStatus()).isEqualTo(201);
    assertThat(post("/v1/disks", b, "{\"name\":\"d2\",\"sizeGb\":10}").getStatus()).isEqualTo(201);
    ErrorResponse disks =
        error(post("/v1/disks", b, "{\"name\":\"d3\"}"), 422, ErrorCode.LIMIT_EXCEEDED);
    assertThat(disks.details()).containsEntry("limit", "maxDisks");
    error(post("/v1/disks", b, "{\"name\":\"d1\"}"), 409, ErrorCode.CONFLICT);

    Me me = read(call("/v1/me", b).get(), Me.class);
    assertThat(me.usage().gpusInUse()).isEqualTo(1);
    assertThat(me.usage().disks()).isEqualTo(2);
  }

  @Test
  @Order(14)
  void disksLifecycle() {
    String a = alice();
    Response created = post("/v1/disks", a, "{\"name\":\"home\",\"sizeGb\":20}");
    assertThat(created.getStatus()).isEqualTo(201);
    Disk home = read(created, Disk.class);
    assertThat(home.sizeGb()).isEqualTo(20);
    // a reservation without a disk field gets the default disk 'home'; deleting it is refused
    Reservation r = reserve(a, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}");
    assertThat(r.diskName()).isEqualTo("home");
    error(call("/v1/disks/home", a).delete(), 409, ErrorCode.CONFLICT);
    error(
        post(
            "/v1/reservations",
            a,
            "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1,\"disk\":\"home\"}"),
        409,
        ErrorCode.CONFLICT);
    // rename follows into the waiting reservation
    Response renamed = post("/v1/disks/home/rename", a, "{\"newName\":\"work\"}");
    assertThat(renamed.getStatus()).isEqualTo(200);
    assertThat(read(renamed, Disk.class).name()).isEqualTo("work");
    assertThat(read(call("/v1/reservations/" + r.id(), a).get(), Reservation.class).diskName())
        .isEqualTo("work");
    error(call("/v1/disks/home", a).get(), 404, ErrorCode.NOT_FOUND);
    assertThat(
            read(call("/v1/disks/work/snapshots", a).get(), new TypeReference<List<Object>>() {}))
        .isEmpty();
    post("/v1/reservations/" + r.id() + "/cancel", a, "").close();
    Response deleted = call("/v1/disks/work", a).delete();
    assertThat(deleted.getStatus()).isEqualTo(200);
    assertThat(read(deleted, Disk.class).deletedAt()).isNotNull();
    error(call("/v1/disks/work", a).get(), 404, ErrorCode.NOT_FOUND);
    long deletes =
        new Pgmq(jdbi()).metrics(dev.odc.core.queue.DiskOperationMessage.QUEUE).queueLength();
    assertThat(deletes).isEqualTo(1);
  }

  @Test
  @Order(20)
  void usersSeeOnlyTheirOwnThingsOnEveryEndpoint() {
    String a = alice();
    String b = bob();
    Reservation mine =
        reserve(
            a,
            "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1,\"name\":\"secret\",\"disk\":\"none\"}");
    assertThat(post("/v1/disks", a, "{\"name\":\"private\"}").getStatus()).isEqualTo(201);
    ApiKeyCreated key = read(post("/v1/api-keys", a, "{\"name\":\"ci\"}"), ApiKeyCreated.class);
    List<Long> before = writes();

    for (String id : List.of(mine.id().toString(), mine.shortId())) {
      error(call("/v1/reservations/" + id, b).get(), 404, ErrorCode.NOT_FOUND);
      error(post("/v1/reservations/" + id + "/cancel", b, ""), 404, ErrorCode.NOT_FOUND);
      error(
          post("/v1/reservations/" + id + "/extend", b, "{\"hours\":1}"), 404, ErrorCode.NOT_FOUND);
    }
    error(call("/v1/disks/private", b).get(), 404, ErrorCode.NOT_FOUND);
    error(call("/v1/disks/private", b).delete(), 404, ErrorCode.NOT_FOUND);
    error(post("/v1/disks/private/rename", b, "{\"newName\":\"mine\"}"), 404, ErrorCode.NOT_FOUND);
    error(call("/v1/disks/private/snapshots", b).get(), 404, ErrorCode.NOT_FOUND);
    error(
        post("/v1/disks/private/restore", b, "{\"snapshotId\":\"" + UUID.randomUUID() + "\"}"),
        404,
        ErrorCode.NOT_FOUND);
    error(
        post("/v1/disks/private/restore", a, "{\"snapshotId\":\"yesterday\"}"),
        400,
        ErrorCode.INVALID_ARGUMENT);
    error(
        post("/v1/disks/private/restore", a, "{\"snapshotId\":\"" + UUID.randomUUID() + "\"}"),
        404,
        ErrorCode.NOT_FOUND);
    error(call("/v1/api-keys/" + key.apiKey().id(), b).delete(), 404, ErrorCode.NOT_FOUND);
    error(call("/v1/reservations?all=true", b).get(), 403, ErrorCode.FORBIDDEN);
    error(call("/v1/reservations?user=alice", b).get(), 403, ErrorCode.FORBIDDEN);
    error(call("/v1/audit/verify", b).get(), 403, ErrorCode.FORBIDDEN);

    Page<Reservation> bobs =
        read(call("/v1/reservations", b).get(), new TypeReference<Page<Reservation>>() {});
    assertThat(bobs.items()).extracting(Reservation::username).containsOnly("bob");
    Page<Disk> bobDisks = read(call("/v1/disks", b).get(), new TypeReference<Page<Disk>>() {});
    assertThat(bobDisks.items()).extracting(Disk::name).doesNotContain("private");
    List<ApiKey> bobKeys =
        read(call("/v1/api-keys", b).get(), new TypeReference<List<ApiKey>>() {});
    assertThat(bobKeys).extracting(ApiKey::id).doesNotContain(key.apiKey().id());
    Page<AuditEvent> bobAudit =
        read(call("/v1/audit?actor=alice", b).get(), new TypeReference<Page<AuditEvent>>() {});
    assertThat(bobAudit.items()).isEmpty();
    Page<AuditEvent> bobOwn =
        read(call("/v1/audit?limit=200", b).get(), new TypeReference<Page<AuditEvent>>() {});
    assertThat(bobOwn.items()).isNotEmpty().extracting(AuditEvent::actor).containsOnly("bob");
    assertThat(writes()).isEqualTo(before);

    // admins may see and act on everyone's
    String root = admin();
    assertThat(call("/v1/reservations/" + mine.id(), root).get().getStatus()).isEqualTo(200);
    Page<Reservation> all =
        read(
            call("/v1/reservations?all=true&limit=200", root).get(),
            new TypeReference<Page<Reservation>>() {});
    assertThat(all.items()).extracting(Reservation::username).contains("alice", "bob");
    Page<Reservation> alices =
        read(
            call("/v1/reservations?user=alice", root).get(),
            new TypeReference<Page<Reservation>>() {});
    assertThat(alices.items()).isNotEmpty().extracting(Reservation::username).containsOnly("alice");
    Response cancelled = post("/v1/reservations/" + mine.id() + "/cancel", root, "");
    assertThat(cancelled.getStatus()).isEqualTo(200);
    Page<AuditEvent> byAdmin =
        read(
            call("/v1/audit?action=reservation.cancel&actor=root", root).get(),
            new TypeReference<Page<AuditEvent>>() {});
    assertThat(byAdmin.items()).extracting(AuditEvent::resourceId).contains(mine.id().toString());
  }

  @Test
  @Order(21)
  void apiKeysAuthenticateUntilRevokedOrExpired() {
    String a = alice();
    Response created =
        post(
            "/v1/api-keys",
            a,
            "{\"name\":\"laptop\",\"ttlHours\":2,\"scopes\":[\"reservations\"]}");
    assertThat(created.getStatus()).isEqualTo(201);
    ApiKeyCreated key = read(created, ApiKeyCreated.class);
    assertThat(key.key()).startsWith("odc_").hasSizeGreaterThan(40);
    assertThat(key.apiKey().prefix()).isEqualTo(key.key().substring(0, 12));
    Me me = read(call("/v1/me", key.key()).get(), Me.class);
    assertThat(me.username()).isEqualTo("alice");
    // the key is stored only as a hash
    long clear =
        jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from api_keys where key_hash = :k or prefix = :k")
                        .bind("k", key.key())
                        .mapTo(Long.class)
                        .one());
    assertThat(clear).isZero();
    List<ApiKey> listed =
        read(call("/v1/api-keys", key.key()).get(), new TypeReference<List<ApiKey>>() {});
    assertThat(listed).extracting(ApiKey::id).contains(key.apiKey().id());
    assertThat(
            listed.stream()
                .filter(k -> k.id().equals(key.apiKey().id()))
                .findFirst()
                .orElseThrow()
                .lastUsedAt())
        .isNotNull();

    Response revoked = call("/v1/api-keys/" + key.apiKey().id(), a).delete();
    assertThat(revoked.getStatus()).isEqualTo(200);
    assertThat(read(revoked, ApiKey.class).revokedAt()).isNotNull();
    error(call("/v1/me", key.key()).get(), 401, ErrorCode.UNAUTHENTICATED);

    // an expired key
    String expired = dev.odc.api.auth.ApiKeys.generate();
    UUID userId = jdbi().onDemand(UserDao.class).findByUsername("alice").orElseThrow().id();
    Instant now = Instant.now();
    jdbi()
        .onDemand(ApiKeyDao.class)
        .insert(
            new ApiKey(
                UUID.randomUUID(),
                userId,
                "old",
                expired.substring(0, 12),
                List.of(),
                now.minus(2, ChronoUnit.HOURS),
                now.minus(1, ChronoUnit.HOURS),
                null,
                null),
            dev.odc.api.auth.ApiKeys.hash(expired));
    error(call("/v1/me", expired).get(), 401, ErrorCode.UNAUTHENTICATED);
  }

  @Test
  @Order(15)
  void aFailureOfTheAuditRowLeavesNothing() {
    List<Long> before = writes();
    // the audit row is the create's last statement (after the queue send): make it fail
    jdbi()
        .useHandle(
            h -> {
              h.execute(
                  "create or replace function odc_test_fail() returns trigger language plpgsql as"
                      + " $$ begin raise exception 'injected failure'; end $$");
              h.execute(
                  "create trigger odc_test_fail_audit before insert on audit_log"
                      + " for each row execute function odc_test_fail()");
            });
    try {
      Response response =
          post("/v1/reservations", alice(), "{\"gpuType\":\"h100\",\"gpuCount\":1,\"hours\":1}");
      ErrorResponse error = error(response, 500, ErrorCode.INTERNAL);
      assertThat(error.message()).doesNotContain("injected");
    } finally {
      jdbi().useHandle(h -> h.execute("drop trigger odc_test_fail_audit on audit_log"));
    }
    assertThat(writes()).isEqualTo(before);
  }

  @Test
  @Order(17)
  void theFirstReservationCreatesTheHomeDiskAndAHeldOneIsSaidPlainly() {
    String erin = token("erin", List.of());
    Reservation first = reserve(erin, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}");
    assertThat(first.diskName()).isEqualTo("home");
    Disk home = read(call("/v1/disks/home", erin).get(), Disk.class);
    assertThat(home.sizeGb()).isEqualTo(50); // limits.defaultDiskSizeGb of test-config.yml
    assertThat(auditOf("disk.create", home.id().toString()))
        .singleElement()
        .satisfies(e -> assertThat(e.actor()).isEqualTo("erin"));

    // home is held by the first: the next one starts without a disk and says why
    Reservation second = reserve(erin, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}");
    assertThat(second.diskName()).isNull();
    assertThat(second.statusHistory().get(0).reason())
        .startsWith("no disk:")
        .contains("'home' is in use by another of your reservations");
    assertThat(auditOf("reservation.create", second.id().toString()))
        .singleElement()
        .satisfies(e -> assertThat(e.details()).containsKey("diskNote"));
    // an explicit --disk none gets no note
    Reservation none =
        reserve(erin, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1,\"disk\":\"none\"}");
    assertThat(none.statusHistory().get(0).reason()).isNull();

    // once released, the next reservation reuses the same disk
    for (Reservation r : List.of(first, second, none)) {
      post("/v1/reservations/" + r.id() + "/cancel", erin, "").close();
    }
    Reservation again = reserve(erin, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}");
    assertThat(again.diskName()).isEqualTo("home");
    assertThat(read(call("/v1/disks", erin).get(), new TypeReference<Page<Disk>>() {}).items())
        .extracting(Disk::id)
        .containsExactly(home.id());
    post("/v1/reservations/" + again.id() + "/cancel", erin, "").close();
  }

  private static List<AuditEvent> auditOf(String action, String resourceId) {
    return read(
            call("/v1/audit?action=" + action + "&resourceId=" + resourceId, admin()).get(),
            new TypeReference<Page<AuditEvent>>() {})
        .items();
  }

  @Test
  @Order(16)
  void theGpuLimitHoldsExactlyUnderConcurrentCreates() throws Exception {
    String dave = token("dave", List.of());
    assertThat(call("/v1/me", dave).get().getStatus()).isEqualTo(200);
    int attempts = 16;
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(attempts);
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<Integer>> statuses = new ArrayList<>();
    try {
      for (int i = 0; i < attempts; i++) {
        statuses.add(
            pool.submit(
                () -> {
                  start.await();
                  return http.send(
                          java.net.http.HttpRequest.newBuilder(
                                  URI.create(
                                      "http://localhost:"
                                          + APP.getLocalPort()
                                          + "/v1/reservations"))
                              .header("Authorization", "Bearer " + dave)
                              .header("Content-Type", "application/json")
                              .POST(
                                  java.net.http.HttpRequest.BodyPublishers.ofString(
                                      "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1,"
                                          + "\"disk\":\"none\"}"))
                              .build(),
                          java.net.http.HttpResponse.BodyHandlers.discarding())
                      .statusCode();
                }));
      }
      start.countDown();
      List<Integer> codes = new ArrayList<>();
      for (var f : statuses) {
        codes.add(f.get());
      }
      // test-config.yml: maxConcurrentGpus 8
      assertThat(codes.stream().filter(c -> c == 202).count()).isEqualTo(8);
      assertThat(codes.stream().filter(c -> c == 422).count()).isEqualTo(attempts - 8);
    } finally {
      pool.shutdownNow();
    }
    long live =
        jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select coalesce(sum(gpu_count * node_count), 0) from reservations"
                                + " where username = 'dave'"
                                + " and status in ('PENDING','QUEUED','PREPARING','ACTIVE')")
                        .mapTo(Long.class)
                        .one());
    assertThat(live).isEqualTo(8);
  }

  @Test
  @Order(23)
  void apiKeyScopesAreEnforced() {
    String carol = token("carol", List.of());
    String reserveBody = "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1,\"disk\":\"none\"}";

    error(
        post("/v1/api-keys", carol, "{\"name\":\"x\",\"scopes\":[\"admin\"]}"),
        400,
        ErrorCode.INVALID_ARGUMENT);
    String readOnly = newKey(carol, "ro", "[\"read\"]");
    String reservationsOnly = newKey(carol, "resv", "[\"reservations\"]");
    String keysOnly = newKey(carol, "keys", "[\"api-keys\"]");
    String unrestricted = newKey(carol, "all", "[]");

    // read-only: every read works, no change does, and nothing is written
    assertThat(call("/v1/me", readOnly).get().getStatus()).isEqualTo(200);
    assertThat(call("/v1/reservations", readOnly).get().getStatus()).isEqualTo(200);
    assertThat(call("/v1/availability", readOnly).get().getStatus()).isEqualTo(200);
    List<Long> before = writes();
    ErrorResponse refused =
        error(post("/v1/reservations", readOnly, reserveBody), 403, ErrorCode.FORBIDDEN);
    assertThat(refused.message()).contains("reservations");
    error(
        post("/v1/disks", readOnly, "{\"name\":\"scratch\",\"sizeGb\":10}"),
        403,
        ErrorCode.FORBIDDEN);
    error(post("/v1/api-keys", readOnly, "{\"name\":\"more\"}"), 403, ErrorCode.FORBIDDEN);
    assertThat(writes()).isEqualTo(before);

    // reservations: create and cancel, but no disk
    Reservation r = reserve(reservationsOnly, reserveBody);
    assertThat(r.username()).isEqualTo("carol");
    assertThat(post("/v1/reservations/" + r.id() + "/cancel", reservationsOnly, "").getStatus())
        .isEqualTo(200);
    error(
        post("/v1/disks", reservationsOnly, "{\"name\":\"scratch\",\"sizeGb\":10}"),
        403,
        ErrorCode.FORBIDDEN);

    // api-keys: no key with more than its own scopes; an empty list inherits them
    error(
        post("/v1/api-keys", keysOnly, "{\"name\":\"up\",\"scopes\":[\"reservations\"]}"),
        403,
        ErrorCode.FORBIDDEN);
    Response inherited = post("/v1/api-keys", keysOnly, "{\"name\":\"child\",\"scopes\":[]}");
    assertThat(inherited.getStatus()).isEqualTo(201);
    assertThat(read(inherited, ApiKeyCreated.class).apiKey().scopes()).containsExactly("api-keys");
    error(post("/v1/reservations", keysOnly, reserveBody), 403, ErrorCode.FORBIDDEN);

    // a key without scopes may do everything its user may
    Response disk = post("/v1/disks", unrestricted, "{\"name\":\"scratch\",\"sizeGb\":10}");
    assertThat(disk.getStatus()).as(disk.readEntity(String.class)).isEqualTo(201);
    assertThat(reserve(unrestricted, reserveBody).username()).isEqualTo("carol");
  }

  private static String newKey(String bearer, String name, String scopesJson) {
    Response created =
        post("/v1/api-keys", bearer, "{\"name\":\"" + name + "\",\"scopes\":" + scopesJson + "}");
    String body = created.readEntity(String.class);
    assertThat(created.getStatus()).as(body).isEqualTo(201);
    try {
      return MAPPER.readValue(body, ApiKeyCreated.class).key();
    } catch (Exception e) {
      throw new AssertionError(body, e);
    }
  }

  @Test
  @Order(22)
  void availabilityCountsWaitingReservations() {
    Availability availability = read(call("/v1/availability", alice()).get(), Availability.class);
    assertThat(availability.gpuTypes()).extracting("name").contains("h100", "t4");
    // simulatedCluster is false unless configured (SimulatedClusterIT sets it)
    assertThat(availability.simulated()).isFalse();
    long waitingT4 =
        jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from reservations where gpu_type = 't4'"
                                + " and status in ('PENDING','QUEUED')")
                        .mapTo(Long.class)
                        .one());
    assertThat(
            availability.gpuTypes().stream()
                .filter(t -> t.name().equals("t4"))
                .findFirst()
                .orElseThrow()
                .queued())
        .isEqualTo((int) waitingT4)
        .isPositive();
  }

  // ---- audit

  @Test
  @Order(30)
  void auditQueriesFilterAndPaginate() {
    String root = admin();
    long total =
        jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from audit_log where action = 'reservation.create'")
                        .mapTo(Long.class)
                        .one());
    assertThat(total).isGreaterThanOrEqualTo(4);
    Set<Long> seen = new HashSet<>();
    List<Long> order = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String path =
          "/v1/audit?action=reservation.create&limit=2"
              + (cursor == null ? "" : "&cursor=" + cursor);
      Page<AuditEvent> page =
          read(call(path, root).get(), new TypeReference<Page<AuditEvent>>() {});
      assertThat(page.items()).hasSizeLessThanOrEqualTo(2);
      for (AuditEvent e : page.items()) {
        assertThat(e.action()).isEqualTo("reservation.create");
        assertThat(seen.add(e.id())).as("no row twice").isTrue();
        order.add(e.id());
      }
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null && pages < 100);
    assertThat(seen).hasSize((int) total);
    assertThat(order).isSortedAccordingTo((x, y) -> Long.compare(y, x));

    // other filters
    Page<AuditEvent> bobs =
        read(
            call("/v1/audit?actor=bob&resourceType=disk&limit=200", root).get(),
            new TypeReference<Page<AuditEvent>>() {});
    assertThat(bobs.items())
        .isNotEmpty()
        .allSatisfy(
            e -> {
              assertThat(e.actor()).isEqualTo("bob");
              assertThat(e.resourceType()).isEqualTo("disk");
            });
    String future = Instant.now().plus(1, ChronoUnit.DAYS).toString();
    Page<AuditEvent> none =
        read(
            call("/v1/audit?since=" + future, root).get(),
            new TypeReference<Page<AuditEvent>>() {});
    assertThat(none.items()).isEmpty();
    String past = Instant.now().minus(1, ChronoUnit.DAYS).toString();
    Page<AuditEvent> until =
        read(call("/v1/audit?until=" + past, root).get(), new TypeReference<Page<AuditEvent>>() {});
    assertThat(until.items()).isEmpty();
    Page<AuditEvent> denied =
        read(
            call("/v1/audit?outcome=denied", root).get(), new TypeReference<Page<AuditEvent>>() {});
    assertThat(denied.items()).allSatisfy(e -> assertThat(e.outcome()).isEqualTo("denied"));
  }

  @Test
  @Order(40)
  void theChainCheckFindsATamperedRow() {
    String root = admin();
    AuditVerification intact = read(call("/v1/audit/verify", root).get(), AuditVerification.class);
    assertThat(intact.intact()).isTrue();
    assertThat(intact.rowsChecked()).isEqualTo(count("audit_log"));
    long victim =
        jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select min(id) from audit_log where action = 'reservation.create'")
                        .mapTo(Long.class)
                        .one());
    jdbi()
        .useTransaction(
            h -> {
              h.execute("alter table audit_log disable trigger audit_log_no_update_delete");
              h.execute(
                  "update audit_log set details = details || '{\"gpuCount\": 1}' where id = ?",
                  victim);
              h.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            });
    AuditVerification broken = read(call("/v1/audit/verify", root).get(), AuditVerification.class);
    assertThat(broken.intact()).isFalse();
    assertThat(broken.firstBrokenId()).isEqualTo(victim);
    assertThat(broken.reason()).contains("hash");
  }

  // ---- operations

  @Test
  @Order(50)
  void healthChecksMetricsAndOpenApi() throws Exception {
    String admin = "http://localhost:" + APP.getAdminPort();
    Response health = CLIENT.target(admin + "/healthcheck").request().get();
    String body = health.readEntity(String.class);
    assertThat(health.getStatus()).as(body).isEqualTo(200);
    JsonNode checks = MAPPER.readTree(body);
    for (String check : List.of("postgresql", "queue", "oidc")) {
      assertThat(checks.path(check).path("healthy").asBoolean()).as(check + ": " + body).isTrue();
    }
    Response prometheus = CLIENT.target(admin + "/prometheus").request().get();
    String text = prometheus.readEntity(String.class);
    assertThat(prometheus.getStatus()).isEqualTo(200);
    assertThat(prometheus.getMediaType().toString()).startsWith("text/plain");
    assertThat(text)
        .contains("# TYPE ")
        .containsPattern("(?m)^io_dropwizard_db_ManagedPooledDataSource_postgresql_active \\d");
    assertThat(text)
        .containsPattern(
            "(?m)^dev_odc_api_resources_ReservationResource_create_seconds_count \\d+");

    Response openapi =
        CLIENT
            .target("http://localhost:" + APP.getLocalPort() + "/v1/openapi.yaml")
            .request()
            .get();
    assertThat(openapi.getStatus()).isEqualTo(200);
    assertThat(openapi.readEntity(String.class))
        .contains("openapi: 3")
        .contains("/v1/reservations");
  }
}
