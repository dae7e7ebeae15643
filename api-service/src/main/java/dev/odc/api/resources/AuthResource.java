package dev.odc.api.resources;

import dev.odc.api.ApiConfiguration;
import dev.odc.api.auth.ApiKeyIssuer;
import dev.odc.api.auth.ApiScopes;
import dev.odc.api.auth.AuditRateLimit;
import dev.odc.api.auth.AwsIamAuthProvider;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.errors.ApiException;
import dev.odc.api.service.Validation;
import dev.odc.core.AuditEvent;
import dev.odc.core.ErrorCode;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.core.api.AuthConfig;
import dev.odc.core.api.AwsLoginRequest;
import dev.odc.database.ApiKeyDao;
import dev.odc.database.AuditLog;
import io.dropwizard.auth.AuthenticationException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /v1/auth}: what the CLI needs before it has a token, and the AWS IAM login. */
@Path("/v1/auth")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {
  private static final Logger log = LoggerFactory.getLogger(AuthResource.class);
  private final ApiConfiguration config;
  private final Jdbi jdbi;
  private final Optional<AwsIamAuthProvider> aws;
  private final ApiKeyIssuer issuer;
  private final AuditRateLimit deniedAudit;

  /**
   * What a key from an AWS login may do: read, and change reservations and disks; never make other
   * keys, so it cannot be turned into a longer-lived credential.
   */
  public static final List<String> AWS_LOGIN_SCOPES =
      List.of(ApiScopes.DISKS, ApiScopes.READ, ApiScopes.RESERVATIONS);

  public AuthResource(
      ApiConfiguration config, Jdbi jdbi, Optional<AwsIamAuthProvider> aws, ApiKeyIssuer issuer) {
    this.config = config;
    this.jdbi = jdbi;
    this.aws = aws;
    this.issuer = issuer;
    this.deniedAudit = new AuditRateLimit(DENIED_AUDITS_PER_MINUTE, Duration.ofMinutes(1));
  }

  /** Refused AWS logins audited per minute per API instance; the rest are counted. */
  static final int DENIED_AUDITS_PER_MINUTE = 10;

  @GET
  @Path("/config")
  public AuthConfig authConfig() {
    ApiConfiguration.OidcConfig oidc = config.getOidc();
    return oidc.enabled
        ? new AuthConfig(oidc.issuer, oidc.clientId, oidc.scopes, oidc.audience, aws.isPresent())
        : new AuthConfig(null, null, List.of(), null, aws.isPresent());
  }

  /** Exchanges a presigned GetCallerIdentity request for a short-lived API key. */
  @POST
  @Path("/aws-login")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response awsLogin(AwsLoginRequest request) {
    AwsIamAuthProvider provider =
        aws.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "AWS login is not enabled"));
    Validation.required(request, "body");
    Optional<OdcPrincipal> principal;
    try {
      principal = provider.verify(request);
    } catch (AuthenticationException e) {
      log.warn("AWS login unavailable: {}", e.getMessage());
      throw new ApiException(ErrorCode.UNAVAILABLE, "STS cannot be reached; retry later");
    }
    if (principal.isEmpty()) {
      long suppressed = deniedAudit.tryAcquire();
      if (suppressed >= 0) {
        Map<String, Object> details =
            suppressed == 0 ? Map.of() : Map.of("suppressedBefore", suppressed);
        jdbi.useHandle(
            h ->
                AuditLog.append(
                    h, "system:api", "auth.aws-login", "user", null, AuditEvent.DENIED, details));
      }
      throw AwsIamAuthProvider.refused();
    }
    OdcPrincipal caller = principal.get();
    Duration ttl = Duration.ofMillis(config.getAws().apiKeyTtl.toMilliseconds());
    ApiKeyCreated created =
        jdbi.inTransaction(
            handle -> {
              AuditLog.append(
                  handle,
                  caller.getName(),
                  "auth.aws-login",
                  "user",
                  caller.user().id().toString(),
                  AuditEvent.SUCCESS,
                  Map.of("arn", caller.user().subject()));
              return issuer.issue(
                  handle,
                  caller.user(),
                  caller.getName(),
                  "aws-login",
                  ttl,
                  AWS_LOGIN_SCOPES,
                  null,
                  ApiKeyDao.ORIGIN_AWS_LOGIN,
                  Map.of(
                      "via", "aws-login", "ttlHours", ttl.toHours(), "scopes", AWS_LOGIN_SCOPES));
            });
    return Response.status(Response.Status.CREATED).entity(created).build();
  }
}
