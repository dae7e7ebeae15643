package dev.odc.api.auth;

import dev.odc.api.ApiConfiguration.AwsConfig;
import dev.odc.api.ApiConfiguration.AwsUserMapping;
import dev.odc.api.errors.ApiException;
import dev.odc.api.errors.Text;
import dev.odc.core.ErrorCode;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.core.api.AwsLoginRequest;
import io.dropwizard.auth.AuthenticationException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS IAM identities, for the transition from IAM-based clusters. The client presigns an STS {@code
 * GetCallerIdentity} request with its own credentials; this provider forwards it, unchanged except
 * for hop headers, to the configured STS endpoint only, and trusts the ARN STS answers with when
 * its account and pattern are allowed and {@code aws.users} maps it to an existing ODC user. AWS
 * keys never reach the server.
 */
public class AwsIamAuthProvider implements AuthProvider<AwsLoginRequest> {
  private static final Logger log = LoggerFactory.getLogger(AwsIamAuthProvider.class);

  /** The only request body accepted: anything else could make STS do something else. */
  public static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";

  public static final String ISSUER = "aws-iam";

  private static final Set<String> FORWARDED_HEADERS =
      Set.of(
          "authorization",
          "x-amz-date",
          "x-amz-security-token",
          "x-amz-content-sha256",
          "content-type");
  private static final Pattern ARN_ELEMENT = Pattern.compile("<Arn>([^<]+)</Arn>");
  private static final Pattern ACCOUNT_ELEMENT = Pattern.compile("<Account>([^<]+)</Account>");
  private static final Pattern ARN =
      Pattern.compile("arn:aws[a-z-]*:(?:sts|iam)::(\\d{12}):([a-z-]+)/(.+)");

  private final AwsConfig config;
  private final UserDirectory users;
  private final HttpClient http;
  private final URI endpoint;

  public AwsIamAuthProvider(AwsConfig config, UserDirectory users) {
    this.config = config;
    this.users = users;
    this.endpoint = URI.create(config.stsEndpoint);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(config.httpTimeout.toMilliseconds()))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String name() {
    return "aws-iam";
  }

  @Override
  public boolean handles(AwsLoginRequest credential) {
    return config.enabled;
  }

  /**
   * @throws ApiException INVALID_ARGUMENT for a request that is not a GetCallerIdentity call
   */
  @Override
  public Optional<OdcPrincipal> verify(AwsLoginRequest request) throws AuthenticationException {
    if (!BODY.equals(request.body())) {
      throw ApiException.invalid("body", "body must be exactly '" + BODY + "'");
    }
    HttpRequest.Builder forward =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofMillis(config.httpTimeout.toMilliseconds()))
            .POST(HttpRequest.BodyPublishers.ofString(BODY));
    boolean signed = false;
    boolean contentType = false;
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      if (Text.hasControl(header.getKey(), false) || Text.hasControl(header.getValue(), false)) {
        // a header value is one line: CR, LF or NUL would make another request of it
        throw ApiException.invalid(
            "headers", "header names and values must not contain control characters");
      }
    }
    for (Map.Entry<String, String> header : request.headers().entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!FORWARDED_HEADERS.contains(name) || header.getValue() == null) {
        continue;
      }
      forward.header(header.getKey(), header.getValue());
      signed |= name.equals("authorization");
      contentType |= name.equals("content-type");
    }
    if (!signed) {
      throw ApiException.invalid("headers", "the signed Authorization header is missing");
    }
    if (!contentType) {
      forward.header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    }
    forward.header("Accept", "application/xml");
    HttpResponse<String> response;
    try {
      response = http.send(forward.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AuthenticationException("STS at " + endpoint + " cannot be reached", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthenticationException("interrupted while calling STS", e);
    }
    if (response.statusCode() != 200) {
      log.info("STS refused a GetCallerIdentity request: HTTP {}", response.statusCode());
      return Optional.empty();
    }
    Matcher arnMatch = ARN_ELEMENT.matcher(response.body());
    Matcher accountMatch = ACCOUNT_ELEMENT.matcher(response.body());
    if (!arnMatch.find() || !accountMatch.find()) {
      log.warn("STS answered without an Arn or Account");
      return Optional.empty();
    }
    String arn = arnMatch.group(1).trim();
    String account = accountMatch.group(1).trim();
    Matcher parsed = ARN.matcher(arn);
    if (!parsed.matches() || !parsed.group(1).equals(account)) {
      log.warn("STS answered with an ARN of unexpected form: {}", arn);
      return Optional.empty();
    }
    if (!allowed(account, arn)) {
      log.info("AWS identity {} is not allowed to log in", arn);
      return Optional.empty();
    }
    Optional<String> username = mappedUsername(arn);
    if (username.isEmpty()) {
      log.info("AWS identity {} is not mapped to an ODC user (aws.users)", arn);
      return Optional.empty();
    }
    Optional<User> user = users.findByUsername(username.get());
    if (user.isEmpty()) {
      log.info("AWS identity {} maps to user {}, who does not exist yet", arn, username.get());
      return Optional.empty();
    }
    if (user.get().disabled()) {
      return Optional.empty();
    }
    // AWS proves who the caller is, not which ODC roles they hold
    return Optional.of(new OdcPrincipal(user.get(), EnumSet.of(Role.USER), name()));
  }

  /** The ODC username the first matching {@code aws.users} entry gives this ARN. */
  Optional<String> mappedUsername(String arn) {
    for (AwsUserMapping mapping : config.users) {
      if (glob(mapping.arn).matcher(arn).matches()) {
        return Optional.of(mapping.username);
      }
    }
    return Optional.empty();
  }

  boolean allowed(String account, String arn) {
    if (!config.allowedAccountIds.contains(account)) {
      return false;
    }
    if (config.allowedArnPatterns.isEmpty()) {
      return true;
    }
    for (String pattern : config.allowedArnPatterns) {
      if (glob(pattern).matcher(arn).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (String part : pattern.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  /** Refusals of the whole request (as opposed to an unknown identity) as one error. */
  public static ApiException refused() {
    return new ApiException(ErrorCode.UNAUTHENTICATED, "AWS identity not verified or not allowed");
  }
}
