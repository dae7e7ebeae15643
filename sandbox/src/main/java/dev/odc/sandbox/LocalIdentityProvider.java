package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The sandbox's identity provider: mock-oauth2-server on loopback, in its own JVM (its netty and
 * bouncycastle clash with the fabric8 mock server's), with a login page where any username works.
 * Users named by {@code --admin} get the {@code odc-admins} group: the login page sends it as a
 * claim, which mock-oauth2-server adds to the tokens of that login.
 */
final class LocalIdentityProvider implements AutoCloseable {
  static final String ISSUER_ID = "odc";
  static final String CLIENT_ID = "gpu-dev";
  static final String AUDIENCE = "odc-api";
  static final String ADMIN_GROUP = "odc-admins";

  private final ChildProcess process;
  private final Issuer issuer;

  private LocalIdentityProvider(ChildProcess process, Issuer issuer) {
    this.process = process;
    this.issuer = issuer;
  }

  /**
   * Starts the provider; returns at once, {@link #awaitReady(Duration)} waits for it to answer.
   *
   * @param libDir the directory of mock-oauth2-server's jars
   * @param workDir where its configuration, login page and log go
   */
  static LocalIdentityProvider start(
      Path javaHome, Path libDir, Path workDir, int port, Set<String> admins, Duration tokenTtl)
      throws IOException {
    requireNonNull(admins, "admins is null");
    if (!Files.isDirectory(libDir)) {
      throw new IOException(
          "the identity provider's jars are missing from "
              + libDir
              + "; build the sandbox first (bin/sandbox does)");
    }
    Files.createDirectories(workDir);
    Path loginPage = workDir.resolve("login.html");
    Files.writeString(loginPage, loginPage(admins), StandardCharsets.UTF_8);
    Path config = workDir.resolve("oidc-config.json");
    writePrivate(config, config(loginPage, tokenTtl, signingKey(workDir)));

    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    command.addAll(ChildProcess.fastStartJvmOptions(workDir.resolve("oidc.jsa")));
    command.add("-Xmx192m");
    command.add("-cp");
    command.add(libDir.toAbsolutePath() + "/*");
    command.add("no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt");
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SERVER_HOSTNAME", "127.0.0.1");
    builder.environment().put("SERVER_PORT", Integer.toString(port));
    builder.environment().put("JSON_CONFIG_PATH", config.toAbsolutePath().toString());
    builder.environment().remove("JSON_CONFIG");
    ChildProcess process =
        ChildProcess.start("identity provider", builder, workDir.resolve("oidc.log"));
    Issuer issuer =
        new Issuer("http://127.0.0.1:" + port + "/" + ISSUER_ID, CLIENT_ID, AUDIENCE, true);
    return new LocalIdentityProvider(process, issuer);
  }

  Issuer issuer() {
    return issuer;
  }

  /** Waits until the provider serves its discovery document. */
  void awaitReady(Duration timeout) throws IOException {
    process.awaitHttpOk(issuer.url() + "/.well-known/openid-configuration", timeout);
  }

  /**
   * The provider's RSA signing key (a JWK), generated on the first start and kept in {@code
   * workDir}: tokens issued before a restart of the sandbox stay valid after it.
   */
  static String signingKey(Path workDir) throws IOException {
    Path file = workDir.resolve("oidc-signing-key.jwk");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8);
    }
    try {
      String jwk =
          new RSAKeyGenerator(2048)
              .keyID("odc-sandbox-" + UUID.randomUUID())
              .keyUse(KeyUse.SIGNATURE)
              .generate()
              .toJSONString();
      writePrivate(file, jwk);
      return jwk;
    } catch (JOSEException e) {
      throw new IOException("cannot generate the identity provider's signing key", e);
    }
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String config(Path loginPage, Duration tokenTtl, String signingKeyJwk) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("interactiveLogin", true);
    ObjectNode keyProvider = root.putObject("tokenProvider").putObject("keyProvider");
    keyProvider.put("initialKeys", signingKeyJwk);
    keyProvider.put("algorithm", "RS256");
    root.put("httpServer", "NettyWrapper");
    root.put("loginPagePath", loginPage.toAbsolutePath().toString());
    ObjectNode callback = root.putArray("tokenCallbacks").addObject();
    callback.put("issuerId", ISSUER_ID);
    callback.put("tokenExpiry", tokenTtl.toSeconds());
    // Every token request matches: the audience the API requires is the same for all users. The
    // client is an audience too, as in an ID token, which the web console checks.
    ObjectNode mapping = callback.putArray("requestMappings").addObject();
    mapping.put("requestParam", "grant_type");
    mapping.put("match", "*");
    ObjectNode claims = mapping.putObject("claims");
    claims.putArray("aud").add(AUDIENCE).add(CLIENT_ID);
    return root.toPrettyString();
  }

  static String loginPage(Set<String> admins) throws IOException {
    String template;
    try (InputStream in = LocalIdentityProvider.class.getResourceAsStream("login.html")) {
      if (in == null) {
        throw new IOException("login.html is missing from the sandbox jar");
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ArrayNode adminList = new ObjectMapper().createArrayNode();
    admins.stream().sorted().forEach(adminList::add);
    String adminText =
        admins.isEmpty() ? "none" : String.join(", ", admins.stream().sorted().toList());
    return template
        .replace("@ADMINS_JSON@", adminList.toString())
        .replace("@ADMIN_GROUP@", ADMIN_GROUP)
        .replace("@ADMINS_TEXT@", htmlEscape(adminText));
  }

  private static String htmlEscape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  @Override
  public void close() {
    process.close();
  }
}
