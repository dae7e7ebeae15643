package dev.odc.cli;

import dev.odc.core.api.AwsLoginRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for one request: STS GetCallerIdentity. Small enough to write here, which
 * keeps the AWS SDK (and its start-up cost) out of the CLI.
 */
final class AwsSigner {
  static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private AwsSigner() {}

  /** AWS credentials; {@code sessionToken} may be null. */
  record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    @Override
    public String toString() {
      return "Credentials[accessKeyId=" + accessKeyId + "]";
    }

    /** From {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, else the shared file. */
    static Credentials fromEnvironment(Map<String, String> env) {
      String id = env.get("AWS_ACCESS_KEY_ID");
      String secret = env.get("AWS_SECRET_ACCESS_KEY");
      if (id != null && secret != null) {
        return new Credentials(id, secret, env.get("AWS_SESSION_TOKEN"));
      }
      Path file =
          env.containsKey("AWS_SHARED_CREDENTIALS_FILE")
              ? Path.of(env.get("AWS_SHARED_CREDENTIALS_FILE"))
              : Path.of(
                  env.getOrDefault("HOME", System.getProperty("user.home")), ".aws", "credentials");
      String profile = env.getOrDefault("AWS_PROFILE", "default");
      try {
        if (Files.isReadable(file)) {
          Map<String, String> values =
              profile(Files.readAllLines(file, StandardCharsets.UTF_8), profile);
          if (values.containsKey("aws_access_key_id")
              && values.containsKey("aws_secret_access_key")) {
            return new Credentials(
                values.get("aws_access_key_id"),
                values.get("aws_secret_access_key"),
                values.get("aws_session_token"));
          }
        }
      } catch (IOException e) {
        throw new CliException(
            ExitCodes.AUTH_NEEDED,
            "cannot read AWS credentials from " + file + ": " + e.getMessage(),
            e);
      }
      throw CliException.authNeeded(
          "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile '"
              + profile
              + "' in "
              + file);
    }

    private static Map<String, String> profile(List<String> lines, String profile) {
      Map<String, String> out = new TreeMap<>();
      boolean inProfile = false;
      for (String raw : lines) {
        String line = raw.strip();
        if (line.startsWith("[") && line.endsWith("]")) {
          inProfile = line.substring(1, line.length() - 1).strip().equals(profile);
        } else if (inProfile && line.contains("=")) {
          int eq = line.indexOf('=');
          out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
      }
      return out;
    }
  }

  /** A signed POST of GetCallerIdentity to {@code sts.<region>.amazonaws.com}. */
  static AwsLoginRequest signGetCallerIdentity(Credentials creds, String region, Instant now) {
    String host = "sts." + region + ".amazonaws.com";
    String amzDate = AMZ_DATE.format(now);
    String date = amzDate.substring(0, 8);
    TreeMap<String, String> headers = new TreeMap<>();
    headers.put("content-type", "application/x-www-form-urlencoded; charset=utf-8");
    headers.put("host", host);
    headers.put("x-amz-date", amzDate);
    if (creds.sessionToken() != null) {
      headers.put("x-amz-security-token", creds.sessionToken());
    }
    String signedHeaders = String.join(";", headers.keySet());
    StringBuilder canonicalHeaders = new StringBuilder();
    headers.forEach(
        (k, v) -> canonicalHeaders.append(k).append(':').append(v.strip()).append('\n'));
    String canonicalRequest =
        "POST\n/\n\n"
            + canonicalHeaders
            + "\n"
            + signedHeaders
            + "\n"
            + hex(sha256(BODY.getBytes(StandardCharsets.UTF_8)));
    String scope = date + "/" + region + "/sts/aws4_request";
    String stringToSign =
        "AWS4-HMAC-SHA256\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + creds.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, "sts");
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, stringToSign));
    Map<String, String> out = new TreeMap<>();
    out.put(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential="
            + creds.accessKeyId()
            + "/"
            + scope
            + ", SignedHeaders="
            + signedHeaders
            + ", Signature="
            + signature);
    out.put("Content-Type", headers.get("content-type"));
    out.put("Host", host);
    out.put("X-Amz-Date", amzDate);
    if (creds.sessionToken() != null) {
      out.put("X-Amz-Security-Token", creds.sessionToken());
    }
    return new AwsLoginRequest(region, out, BODY);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
