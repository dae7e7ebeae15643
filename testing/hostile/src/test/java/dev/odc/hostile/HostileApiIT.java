package dev.odc.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.hostile.ApiProcess.Answer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker's view of the API: the shaded jar runs as its own process against embedded PostgreSQL
 * and mock-oauth2-server, and every test attacks it from outside. Nothing may answer 5xx, no forged
 * credential may get in, no user may see or touch another's things, and what the database holds
 * must match what the API said it did.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileApiIT {
  static final String ISSUER_ID = "default";
  static final long FUZZ_SEED = 18L;
  static final int FUZZ_BODIES = 6_000;

  static final PostgresExtension POSTGRES = new PostgresExtension();
  static MockOAuth2Server oidc;

  /** The issuer's signing key, known here so that tests can sign claims it would never issue. */
  static RSAKey issuerKey;

  /** The kid the issuer publishes its key under. */
  static String issuerKid;

  static FakeSts sts;
  static ApiProcess api;
  static Jdbi db;

  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    String url = POSTGRES.createDatabase("hostile");
    db = Jdbi.create(url, POSTGRES.username(), POSTGRES.password());
    issuerKey = new RSAKeyGenerator(2048).keyID("issuer-key").generate();
    oidc =
        new MockOAuth2Server(
            new OAuth2Config(
                false,
                null,
                null,
                false,
                new OAuth2TokenProvider(new KeyProvider(List.of(issuerKey), "RS256")),
                java.util.Set.of(),
                new MockWebServerWrapper()));
    oidc.start();
    sts = new FakeSts();
    api =
        new ApiProcess(
            work,
            url,
            POSTGRES.username(),
            POSTGRES.password(),
            oidc.issuerUrl(ISSUER_ID).toString(),
            sts.endpoint());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (api != null) {
        String output = api.output();
        api.close();
        // a 5xx would have been logged with an error id; nothing may have been
        assertThat(output).doesNotContain("ERROR [");
      }
    } finally {
      if (sts != null) {
        sts.close();
      }
      if (oidc != null) {
        oidc.shutdown();
      }
    }
  }

  static String token(String user, List<String> groups) {
    return oidc.issueToken(
            ISSUER_ID, "sub-" + user, "odc", Map.of("preferred_username", user, "groups", groups))
        .serialize();
  }

  static long count(String sql) {
    return db.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  static void assertNo5xx(Answer answer, String what) {
    assertThat(answer.status()).as(what + " -> " + answer.body()).isLessThan(500);
  }

  // ---- forged tokens

  @Test
  @Order(1)
  void forgedAndMalformedTokensAreRefused() throws Exception {
    String good = token("victim", List.of("odc-admins"));
    assertThat(api.send("GET", "/v1/me", good, null).status()).isEqualTo(200);
    SignedJWT parsed = SignedJWT.parse(good);
    JWTClaimsSet claims = parsed.getJWTClaimsSet();
    JWKSet published = JWKSet.load(URI.create(oidc.jwksUrl(ISSUER_ID).toString()).toURL());
    // the mock issuer signs with the key given to it, published under its own kid
    RSAKey publishedKey = (RSAKey) published.getKeys().get(0);
    assertThat(publishedKey.getModulus()).isEqualTo(issuerKey.getModulus());
    String kid = publishedKey.getKeyID();
    issuerKid = kid;
    // control: the issuer's key signing the genuine claims here is accepted, so the refusals
    // below come from the claim checks, not from a key the API does not know
    assertThat(api.send("GET", "/v1/me", issue(b -> {}), null).status()).isEqualTo(200);
    RSAKey foreign = new RSAKeyGenerator(2048).keyID(kid).generate();
    Instant now = Instant.now();

    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("alg none", new PlainJWT(claims).serialize());
    forged.put(
        "alg none with signature",
        new PlainJWT(claims).serialize() + parsed.getSignature().toString());
    forged.put(
        "HS256 keyed with the issuer's public key (n)",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(),
            claims,
            new MACSigner(issuerKey.getModulus().decode())));
    forged.put(
        "HS256 keyed with the issuer's JWK JSON",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(),
            claims,
            new MACSigner(pad(issuerKey.toPublicJWK().toJSONString()))));
    forged.put(
        "foreign key, issuer's kid",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims, signer(foreign)));
    forged.put(
        "foreign key embedded as jwk header",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(foreign.toPublicJWK()).build(),
            claims,
            signer(foreign)));
    forged.put(
        "foreign key by jku",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .jwkURL(URI.create("http://127.0.0.1:1/attacker/jwks"))
                .keyID("attacker")
                .build(),
            claims,
            signer(foreign)));
    forged.put(
        "foreign key, x5t#S256 of nothing, no kid",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .x509CertSHA256Thumbprint(Base64URL.encode("nothing"))
                .build(),
            claims,
            signer(foreign)));
    for (String trick : List.of("../../../../dev/null", "' or '1'='1", kid + "\u0000", "")) {
      forged.put(
          "kid " + trick,
          sign(
              new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(trick).build(),
              claims,
              signer(foreign)));
    }
    forged.put("tampered payload", tamper(good, claims, "groups", List.of("odc-admins", "x")));
    forged.put("signature cut", good.substring(0, good.lastIndexOf('.') + 1));
    forged.put("signature of another token", swapSignature(good, token("other", List.of())));
    forged.put("wrong issuer", issue(b -> b.issuer("https://evil.example/default")));
    forged.put("wrong audience", issue(b -> b.audience("someone-else")));
    forged.put("expired", issue(b -> b.expirationTime(Date.from(now.minusSeconds(3600)))));
    forged.put("not yet valid", issue(b -> b.notBeforeTime(Date.from(now.plusSeconds(3600)))));
    forged.put("no exp", issue(b -> b.expirationTime(null)));
    forged.put("no iat", issue(b -> b.issueTime(null)));
    forged.put("iat in the future", issue(b -> b.issueTime(Date.from(now.plusSeconds(7200)))));
    forged.put(
        "ten-year token", issue(b -> b.expirationTime(Date.from(now.plus(Duration.ofDays(3650))))));
    forged.put("empty sub", issue(b -> b.subject("")));
    forged.put("blank sub", issue(b -> b.subject("   ")));
    forged.put("no sub", issue(b -> b.subject(null)));
    forged.put("ID token (at_hash)", issue(b -> b.claim("at_hash", "x")));
    forged.put("ID token (Keycloak typ)", issue(b -> b.claim("typ", "ID")));
    forged.put(
        "reserved username",
        issue(b -> b.subject("sub-squatter").claim("preferred_username", "system:api")));
    forged.put("null payload", signRaw("null", issuerKey, kid));
    forged.put("array payload", signRaw("[1]", issuerKey, kid));
    forged.put("string payload", signRaw("\"x\"", issuerKey, kid));
    forged.put(
        "unknown critical header",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(kid)
                .criticalParams(java.util.Set.of("odc-x"))
                .customParam("odc-x", 1)
                .build(),
            claims,
            signer(foreign)));
    forged.put(
        "typ of another kind",
        sign(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(kid)
                .type(new JOSEObjectType("logout+jwt"))
                .build(),
            claims,
            signer(foreign)));
    forged.put("two dots only", "..");
    forged.put("four parts", good + ".x");
    forged.put("not base64", "!!!.@@@.###");
    forged.put("looks like a key", "odc_" + "A".repeat(43));
    forged.put("huge", "a." + "b".repeat(20_000) + ".c");

    for (Map.Entry<String, String> attempt : forged.entrySet()) {
      Answer answer = api.send("GET", "/v1/me", attempt.getValue(), null);
      // 431: Jetty refuses headers above its limit before anything reads them
      assertThat(answer.status()).as(attempt.getKey() + " -> " + answer.body()).isIn(401, 403, 431);
      assertNo5xx(api.send("GET", "/v1/audit/verify", attempt.getValue(), null), attempt.getKey());
    }
    assertThat(count("select count(*) from users where username like '%:%'")).isZero();
  }

  interface ClaimsChange {
    void apply(JWTClaimsSet.Builder builder);
  }

  /**
   * A token signed with the genuine issuer's key and changed claims: only claim checks refuse it.
   */
  static String issue(ClaimsChange change) throws Exception {
    SignedJWT template = SignedJWT.parse(token("forger", List.of()));
    JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder(template.getJWTClaimsSet());
    change.apply(builder);
    return sign(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(issuerKid).type(JOSEObjectType.JWT).build(),
        builder.build(),
        signer(issuerKey));
  }

  static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws Exception {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  static JWSSigner signer(RSAKey key) throws Exception {
    return new RSASSASigner(key);
  }

  /** A payload that is not a claims object, signed with the genuine issuer's key. */
  static String signRaw(String payload, RSAKey key, String kid) throws Exception {
    JWSObject object =
        new JWSObject(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), new Payload(payload));
    object.sign(new RSASSASigner(key));
    return object.serialize();
  }

  static byte[] pad(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    return bytes.length >= 32 ? bytes : java.util.Arrays.copyOf(bytes, 32);
  }

  static String tamper(String token, JWTClaimsSet claims, String name, Object value) {
    String[] parts = token.split("\\.");
    JWTClaimsSet changed = new JWTClaimsSet.Builder(claims).claim(name, value).build();
    return parts[0]
        + "."
        + Base64URL.encode(changed.toString().getBytes(StandardCharsets.UTF_8))
        + "."
        + parts[2];
  }

  static String swapSignature(String token, String other) {
    return token.substring(0, token.lastIndexOf('.')) + other.substring(other.lastIndexOf('.'));
  }

  // ---- other users' ids

  @Test
  @Order(2)
  void noUserCanSeeOrTouchAnothersThings() throws Exception {
    String alice = token("alice", List.of());
    String bob = token("bob", List.of());
    Answer reservation =
        api.send(
            "POST", "/v1/reservations", alice, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":2}");
    assertThat(reservation.status()).as(reservation.body()).isEqualTo(202);
    String id = reservation.json().path("id").asText();
    String shortId = id.substring(0, 8);
    assertThat(api.send("POST", "/v1/disks", alice, "{\"name\":\"secret\",\"sizeGb\":10}").status())
        .isEqualTo(201);
    Answer key = api.send("POST", "/v1/api-keys", alice, "{\"name\":\"alice-key\"}");
    assertThat(key.status()).isEqualTo(201);
    String keyId = key.json().path("apiKey").path("id").asText();
    // bob's first login writes his user.create row before the count
    assertThat(api.send("GET", "/v1/me", bob, null).status()).isEqualTo(200);
    long auditBefore = count("select count(*) from audit_log");

    Map<String, Answer> attempts = new LinkedHashMap<>();
    for (String ref : List.of(id, shortId, id.toUpperCase())) {
      attempts.put("get " + ref, api.send("GET", "/v1/reservations/" + ref, bob, null));
      attempts.put(
          "cancel " + ref, api.send("POST", "/v1/reservations/" + ref + "/cancel", bob, null));
      attempts.put(
          "extend " + ref,
          api.send("POST", "/v1/reservations/" + ref + "/extend", bob, "{\"hours\":1}"));
    }
    attempts.put("get disk", api.send("GET", "/v1/disks/secret", bob, null));
    attempts.put("delete disk", api.send("DELETE", "/v1/disks/secret", bob, null));
    attempts.put(
        "rename disk", api.send("POST", "/v1/disks/secret/rename", bob, "{\"newName\":\"mine\"}"));
    attempts.put("disk snapshots", api.send("GET", "/v1/disks/secret/snapshots", bob, null));
    attempts.put("revoke key", api.send("DELETE", "/v1/api-keys/" + keyId, bob, null));
    for (Map.Entry<String, Answer> attempt : attempts.entrySet()) {
      assertThat(attempt.getValue().status())
          .as(attempt.getKey() + " -> " + attempt.getValue().body())
          .isEqualTo(404);
    }
    // listings and filters show bob nothing of alice's
    for (String path :
        List.of(
            "/v1/reservations?user=alice",
            "/v1/reservations?all=true",
            "/v1/disks",
            "/v1/api-keys",
            "/v1/audit?actor=alice",
            "/v1/audit?resourceId=" + id,
            "/v1/audit?actor=system:api")) {
      Answer answer = api.send("GET", path, bob, null);
      assertNo5xx(answer, path);
      assertThat(answer.body()).as(path).doesNotContain(id).doesNotContain("secret");
      assertThat(answer.body()).as(path).doesNotContain(keyId);
    }
    assertThat(count("select count(*) from audit_log")).isEqualTo(auditBefore);
    JsonNode still = api.send("GET", "/v1/reservations/" + id, alice, null).json();
    assertThat(still.path("status").asText()).isNotEqualTo("CANCELLED");
    assertThat(api.send("GET", "/v1/disks/secret", alice, null).status()).isEqualTo(200);
    assertThat(count("select count(*) from api_keys where revoked_at is not null")).isZero();
  }

  // ---- scopes and path tricks

  @Test
  @Order(3)
  void aReadOnlyKeyCannotWriteThroughAnySpellingOfAPath() {
    String carol = token("carol", List.of());
    Answer key = api.send("POST", "/v1/api-keys", carol, "{\"name\":\"ro\",\"scopes\":[\"read\"]}");
    assertThat(key.status()).as(key.body()).isEqualTo(201);
    String readOnly = key.json().path("key").asText();
    long reservations = count("select count(*) from reservations");
    long keys = count("select count(*) from api_keys");
    long disks = count("select count(*) from disks");
    String reserve = "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}";
    List<String> paths =
        List.of(
            "/v1/reservations",
            "/v1/reservations/",
            "//v1/reservations",
            "/v1//reservations",
            "/v1/./reservations",
            "/v1/x/../reservations",
            "/v1/reservations/.",
            "/v1/%72eservations",
            "/v1/reservations%2F",
            "/V1/Reservations",
            "/v1/reservations;x=1",
            "/v1;/reservations",
            "/v1/disks/../reservations",
            "/v1/api-keys",
            "/v1/api-keys/",
            "/v1/disks");
    for (String path : paths) {
      String body = path.contains("api-keys") ? "{\"name\":\"escalate\"}" : reserve;
      if (path.endsWith("/disks")) {
        body = "{\"name\":\"sneaky\"}";
      }
      Answer answer = api.send("POST", path, readOnly, body);
      assertThat(answer.status()).as(path + " -> " + answer.body()).isBetween(400, 499);
    }
    for (String method : List.of("PUT", "PATCH", "DELETE")) {
      Answer answer = api.send(method, "/v1/reservations", readOnly, reserve);
      assertThat(answer.status()).as(method).isBetween(400, 499);
    }
    // a write disguised as a read
    Answer override =
        api.send(
            "GET", "/v1/reservations", readOnly, null, Map.of("X-HTTP-Method-Override", "POST"));
    assertNo5xx(override, "method override");
    assertThat(count("select count(*) from reservations")).isEqualTo(reservations);
    assertThat(count("select count(*) from api_keys")).isEqualTo(keys);
    assertThat(count("select count(*) from disks")).isEqualTo(disks);
  }

  // ---- odd and oversized headers, raw HTTP

  @Test
  @Order(4)
  void oddHeadersAndRawRequestsNeverCauseA5xx() throws Exception {
    String dave = token("dave", List.of());
    // above Jetty's header limit the answer is 431, below it 401
    assertThat(api.send("GET", "/v1/me", "x".repeat(20_000), null).status()).isIn(401, 431);
    assertThat(api.send("GET", "/v1/me", "x".repeat(5_000), null).status()).isEqualTo(401);
    assertNo5xx(
        api.send("GET", "/v1/me", dave, null, Map.of("X-Big", "y".repeat(60_000))), "60 KB header");
    Map<String, String> many = new TreeMap<>();
    for (int i = 0; i < 300; i++) {
      many.put("X-H" + i, "v" + i);
    }
    assertNo5xx(api.send("GET", "/v1/me", dave, null, many), "300 headers");
    assertNo5xx(
        api.send("POST", "/v1/reservations", dave, "{}", Map.of("Content-Type", "text/plain")),
        "wrong content type");
    assertNo5xx(
        api.send(
            "POST",
            "/v1/reservations",
            dave,
            "{\"gpuType\":\"t4\"}",
            Map.of("Content-Type", "application/json; charset=ebcdic")),
        "odd charset");
    assertNo5xx(api.send("POST", "/v1/reservations", dave, "x".repeat(100_000)), "100 KB body");

    List<String> raw =
        List.of(
            "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\u0000b\r\n\r\n",
            "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n  folded\r\n\r\n",
            "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: B\u00e9arer \u00ff\r\n\r\n",
            "POST /v1/reservations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                + "Content-Length: 500\r\nContent-Type: application/json\r\n\r\n{}",
            "POST /v1/auth/aws-login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            "POST /v1/auth/aws-login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 3\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "GET http://evil.example/v1/me HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "BREW /v1/me HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + dave
                + "\r\n"
                + "Authorization: Bearer forged\r\n\r\n",
            "GET /v1/audit?since=%00 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + dave
                + "\r\n\r\n",
            "GET /v1/me?access_token=" + dave + " HTTP/1.1\r\nHost: x\r\n\r\n");
    // HTTP/0.9: 505 is the protocol's own answer to a version the server does not speak, sent by
    // Jetty's parser, not a failure of the server; it is the one 5xx this suite accepts
    assertThat(rawStatus("GET /v1/me\r\n\r\n")).isIn(0, 400, 505);
    for (String request : raw) {
      int status = rawStatus(request);
      assertThat(status).as(request.substring(0, Math.min(80, request.length()))).isLessThan(500);
      assertThat(status)
          .as("must not be accepted: " + request.substring(0, Math.min(80, request.length())))
          .isNotEqualTo(200);
    }
  }

  /** Sends bytes as they are; the status of the answer, or 0 when the server just closed. */
  static int rawStatus(String request) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port)) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(12);
      String line = new String(head, StandardCharsets.ISO_8859_1);
      Matcher status = Pattern.compile("HTTP/1\\.[01] (\\d{3})").matcher(line);
      return status.find() ? Integer.parseInt(status.group(1)) : 0;
    } catch (java.net.SocketException e) {
      return 0; // the server closed the connection on a request it would not read
    }
  }

  // ---- seeded fuzz of the write endpoints

  @Test
  @Order(5)
  void aSeededFuzzOfWriteBodiesNeverGetsA5xxAndWritesExactlyWhatItAnswers() {
    String erin = token("erin", List.of());
    Answer anchor =
        api.send(
            "POST", "/v1/reservations", erin, "{\"gpuType\":\"t4\",\"gpuCount\":1,\"hours\":1}");
    assertThat(anchor.status()).isEqualTo(202);
    String reservationId = anchor.json().path("id").asText();
    String root = token("root", List.of("odc-admins"));
    JsonNode auditAnchor = api.send("GET", "/v1/audit/anchor", root, null).json();
    long reservations = count("select count(*) from reservations");
    long disks = count("select count(*) from disks");
    long keys = count("select count(*) from api_keys");
    long successes = count("select count(*) from audit_log where outcome = 'success'");

    BodyFuzzer fuzzer = new BodyFuzzer(FUZZ_SEED);
    Map<String, Integer> accepted = new TreeMap<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> serverErrors = new ArrayList<>();
    List<String> diskNames = new ArrayList<>(List.of("d1", "scratch", "nope"));
    String currentDisk = null;
    long noOps = 0;
    for (int i = 0; i < FUZZ_BODIES; i++) {
      int endpoint = i % 6;
      String name;
      Answer answer;
      switch (endpoint) {
        case 0 -> {
          name = "reservations";
          answer = api.send("POST", "/v1/reservations", erin, fuzzer.next(BodyFuzzer.RESERVATION));
        }
        case 1 -> {
          name = "disks";
          answer = api.send("POST", "/v1/disks", erin, fuzzer.next(BodyFuzzer.DISK));
        }
        case 2 -> {
          name = "rename";
          String disk = diskNames.get(i % diskNames.size());
          currentDisk = disk;
          answer =
              api.send(
                  "POST", "/v1/disks/" + disk + "/rename", erin, fuzzer.next(BodyFuzzer.RENAME));
        }
        case 3 -> {
          name = "extend";
          String target = i % 12 == 3 ? UUID.randomUUID().toString() : reservationId;
          answer =
              api.send(
                  "POST",
                  "/v1/reservations/" + target + "/extend",
                  erin,
                  fuzzer.next(BodyFuzzer.EXTEND));
        }
        case 4 -> {
          name = "api-keys";
          answer = api.send("POST", "/v1/api-keys", erin, fuzzer.next(BodyFuzzer.API_KEY));
        }
        default -> {
          name = "aws-login";
          answer = api.send("POST", "/v1/auth/aws-login", null, fuzzer.next(BodyFuzzer.AWS_LOGIN));
        }
      }
      statuses.merge(answer.status(), 1, Integer::sum);
      if (answer.status() >= 500) {
        serverErrors.add(name + " #" + i + " -> " + answer.status() + " " + answer.body());
      }
      if (answer.status() >= 200 && answer.status() < 300) {
        accepted.merge(name, 1, Integer::sum);
        if (name.equals("disks")) {
          diskNames.add(answer.json().path("name").asText());
        }
        if (name.equals("rename")) {
          String renamed = answer.json().path("name").asText();
          if (renamed.equals(currentDisk)) {
            noOps++; // renamed to its own name: nothing changed, nothing audited
          }
          diskNames.add(renamed);
        }
      }
    }
    System.out.println(
        "hostile fuzz (seed "
            + FUZZ_SEED
            + "): statuses "
            + statuses
            + ", 2xx "
            + accepted
            + ", no-op renames "
            + noOps
            + ", resent after a closed connection "
            + api.retries);
    assertThat(serverErrors).as("5xx answers").isEmpty();
    assertThat(statuses.keySet()).allMatch(s -> s < 500);
    assertThat(count("select count(*) from reservations") - reservations)
        .isEqualTo((long) accepted.getOrDefault("reservations", 0));
    assertThat(count("select count(*) from disks") - disks)
        .isEqualTo((long) accepted.getOrDefault("disks", 0));
    assertThat(count("select count(*) from api_keys") - keys)
        .isEqualTo((long) accepted.getOrDefault("api-keys", 0));
    // every accepted write that changed something, and only those, left one successful audit row
    long acceptedWrites = accepted.values().stream().mapToLong(Integer::longValue).sum() - noOps;
    assertThat(count("select count(*) from audit_log where outcome = 'success'") - successes)
        .isEqualTo(acceptedWrites);
    // the fuzz reached past validation: some of every kind of write went through
    assertThat(accepted).containsKeys("reservations", "disks", "api-keys", "extend");
    assertThat(
            api.send("GET", "/v1/audit/verify", token("root", List.of("odc-admins")), null)
                .json()
                .path("intact")
                .asBoolean())
        .isTrue();
  }
}
