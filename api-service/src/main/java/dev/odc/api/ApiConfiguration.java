package dev.odc.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.odc.api.ssh.SshConfig;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Configuration of the api-service; see {@code api-service/config.yml} for an example. */
public class ApiConfiguration extends Configuration {
  @Valid @NotNull private DataSourceFactory database = new DataSourceFactory();

  @Valid @NotNull private OidcConfig oidc = new OidcConfig();

  @Valid @NotNull private ApiKeysConfig apiKeys = new ApiKeysConfig();

  @Valid @NotNull private AwsConfig aws = new AwsConfig();

  @Valid @NotNull private LimitsConfig limits = new LimitsConfig();

  @Valid @NotNull private SshConfig ssh = new SshConfig();

  @Valid @NotNull private List<GpuTypeConfig> gpuTypes = new ArrayList<>();

  @NotBlank private String defaultImage = "registry.example.com/odc/devserver:latest";

  /** Bodies above this size are refused with 413 before they are parsed. */
  @NotNull private DataSize maxRequestSize = DataSize.kibibytes(64);

  /** Apply the schema migrations at start-up. */
  private boolean migrateOnStart = true;

  /**
   * True when the cluster behind this API is a simulation (the sandbox): {@code GET
   * /v1/availability} says so, so nobody mistakes its GPUs for real ones.
   */
  private boolean simulatedCluster = false;

  /**
   * How long a known OIDC user is answered from memory when the token's email and roles match (see
   * {@link dev.odc.api.auth.UserDirectory}); zero turns the cache off.
   */
  @NotNull private Duration userCacheTtl = Duration.seconds(10);

  /** The web console under {@code /}. */
  @Valid @NotNull
  private dev.odc.api.console.ConsoleConfig console = new dev.odc.api.console.ConsoleConfig();

  @JsonProperty
  public dev.odc.api.console.ConsoleConfig getConsole() {
    return console;
  }

  @JsonProperty
  public void setConsole(dev.odc.api.console.ConsoleConfig console) {
    this.console = console;
  }

  /**
   * How often the audit log's head (id, hash, row count) is written to the service log, as an
   * anchor outside the database; zero turns it off.
   */
  @NotNull private Duration auditAnchorInterval = Duration.minutes(15);

  @JsonProperty
  public Duration getAuditAnchorInterval() {
    return auditAnchorInterval;
  }

  @JsonProperty
  public void setAuditAnchorInterval(Duration auditAnchorInterval) {
    this.auditAnchorInterval = auditAnchorInterval;
  }

  @JsonProperty
  public boolean isSimulatedCluster() {
    return simulatedCluster;
  }

  @JsonProperty
  public void setSimulatedCluster(boolean simulatedCluster) {
    this.simulatedCluster = simulatedCluster;
  }

  @JsonProperty
  public Duration getUserCacheTtl() {
    return userCacheTtl;
  }

  @JsonProperty
  public void setUserCacheTtl(Duration userCacheTtl) {
    this.userCacheTtl = userCacheTtl;
  }

  @JsonProperty
  public DataSourceFactory getDatabase() {
    return database;
  }

  @JsonProperty
  public void setDatabase(DataSourceFactory database) {
    this.database = database;
  }

  @JsonProperty
  public OidcConfig getOidc() {
    return oidc;
  }

  @JsonProperty
  public void setOidc(OidcConfig oidc) {
    this.oidc = oidc;
  }

  @JsonProperty
  public ApiKeysConfig getApiKeys() {
    return apiKeys;
  }

  @JsonProperty
  public void setApiKeys(ApiKeysConfig apiKeys) {
    this.apiKeys = apiKeys;
  }

  @JsonProperty
  public AwsConfig getAws() {
    return aws;
  }

  @JsonProperty
  public void setAws(AwsConfig aws) {
    this.aws = aws;
  }

  @JsonProperty
  public LimitsConfig getLimits() {
    return limits;
  }

  @JsonProperty
  public void setLimits(LimitsConfig limits) {
    this.limits = limits;
  }

  @JsonProperty
  public List<GpuTypeConfig> getGpuTypes() {
    return gpuTypes;
  }

  @JsonProperty
  public void setGpuTypes(List<GpuTypeConfig> gpuTypes) {
    this.gpuTypes = gpuTypes;
  }

  @JsonProperty
  public String getDefaultImage() {
    return defaultImage;
  }

  @JsonProperty
  public void setDefaultImage(String defaultImage) {
    this.defaultImage = defaultImage;
  }

  @JsonProperty
  public DataSize getMaxRequestSize() {
    return maxRequestSize;
  }

  @JsonProperty
  public void setMaxRequestSize(DataSize maxRequestSize) {
    this.maxRequestSize = maxRequestSize;
  }

  @JsonProperty
  public SshConfig getSsh() {
    return ssh;
  }

  @JsonProperty
  public void setSsh(SshConfig ssh) {
    this.ssh = ssh;
  }

  @JsonProperty
  public boolean isMigrateOnStart() {
    return migrateOnStart;
  }

  @JsonProperty
  public void setMigrateOnStart(boolean migrateOnStart) {
    this.migrateOnStart = migrateOnStart;
  }

  /** The trusted OIDC issuer. */
  public static class OidcConfig {
    /** False turns OIDC off (API keys and AWS login only). */
    @JsonProperty public boolean enabled = true;

    /** Exactly the {@code iss} of the tokens; discovery is read from below it. */
    @JsonProperty @NotBlank public String issuer;

    /** The {@code aud} tokens must carry. */
    @JsonProperty @NotBlank public String audience;

    /** The public client the CLI logs in with. */
    @JsonProperty @NotBlank public String clientId;

    @JsonProperty @NotNull public List<String> scopes = List.of("openid", "profile", "email");

    /** The first of these claims that is present names the user. */
    @JsonProperty @NotEmpty
    public List<String> usernameClaims = List.of("preferred_username", "email", "sub");

    @JsonProperty @NotBlank public String groupsClaim = "groups";

    @JsonProperty @NotNull public List<String> adminGroups = List.of("odc-admins");

    /** Asymmetric JWS algorithms only: HMAC and none are refused whatever this says. */
    @JsonProperty @NotEmpty
    public List<String> allowedAlgorithms = List.of("RS256", "RS384", "RS512", "ES256", "ES384");

    @JsonProperty @NotNull public Duration clockSkew = Duration.seconds(30);

    /** At most one JWKS fetch per interval, even when tokens with unknown kids keep coming. */
    @JsonProperty @NotNull public Duration jwksRefreshMinInterval = Duration.seconds(30);

    @JsonProperty @NotNull public Duration jwksCacheTtl = Duration.minutes(15);

    @JsonProperty @NotNull public Duration httpTimeout = Duration.seconds(5);

    /** Tokens whose {@code exp} is further than this after their {@code iat} are refused. */
    @JsonProperty @NotNull public Duration maxTokenLifetime = Duration.hours(24);

    /**
     * How many verified tokens are remembered (by SHA-256 of the token, until their exp and while
     * the JWKS still holds their key) so they are not verified again; zero turns this off.
     */
    @JsonProperty
    @Min(0)
    public int verifiedTokenCacheSize = 10_000;

    /** The longest a verified token is remembered, whatever its exp. */
    @JsonProperty @NotNull public Duration verifiedTokenCacheTtl = Duration.minutes(5);
  }

  /** API keys: bearer credentials for automation. */
  public static class ApiKeysConfig {
    @JsonProperty @NotNull public Duration defaultTtl = Duration.days(30);
    @JsonProperty @NotNull public Duration maxTtl = Duration.days(365);

    /**
     * How long after the identity provider last stated a user's roles (at a login) an API key still
     * carries them; after that the key acts with the user role alone until the user logs in again.
     */
    @JsonProperty @NotNull public Duration roleMaxAge = Duration.hours(12);
  }

  /** The AWS IAM login path for the transition from IAM-based clusters. */
  public static class AwsConfig {
    @JsonProperty public boolean enabled = false;

    /** Where presigned GetCallerIdentity requests are sent; never a URL from a request. */
    @JsonProperty @NotBlank public String stsEndpoint = "https://sts.amazonaws.com";

    @JsonProperty @NotNull public List<String> allowedAccountIds = List.of();

    /**
     * Glob patterns ({@code *} matches any run of characters) for the caller ARN; empty allows
     * every ARN of an allowed account.
     */
    @JsonProperty @NotNull public List<String> allowedArnPatterns = List.of();

    /** The lifetime of the key an AWS login gives; at most 12 hours. */
    @JsonProperty
    @NotNull
    @MaxDuration(value = 12, unit = TimeUnit.HOURS)
    public Duration apiKeyTtl = Duration.hours(12);

    /**
     * Which AWS identities are which ODC users. An AWS login is refused unless its ARN matches one
     * of these (glob: {@code *} matches any run of characters; the first match wins); the user must
     * already exist (created by a single sign-on login or an admin). Nothing of the ARN itself,
     * such as a role session name the caller chose, ever becomes a username.
     */
    @JsonProperty @Valid @NotNull public List<AwsUserMapping> users = List.of();

    @JsonProperty @NotNull public Duration httpTimeout = Duration.seconds(10);
  }

  /** One AWS identity (or glob of identities) and the ODC user it logs in as. */
  public static class AwsUserMapping {
    @JsonProperty @NotBlank public String arn;
    @JsonProperty @NotBlank public String username;
  }

  /** Per-user limits. */
  public static class LimitsConfig {
    @JsonProperty
    @Min(1)
    public int maxConcurrentGpus = 8;

    @JsonProperty public double maxHoursPerReservation = 24;
    @JsonProperty public double maxTotalHours = 72;

    @JsonProperty
    @Min(0)
    public int maxDisks = 5;

    @JsonProperty
    @Min(1)
    public int defaultDiskSizeGb = 100;

    @JsonProperty
    @Min(1)
    public int maxDiskSizeGb = 2000;

    @JsonProperty
    @Min(1)
    public int maxNodeCount = 8;
  }

  /** A GPU type the platform offers; upserted into gpu_types at start-up. */
  public static class GpuTypeConfig {
    @JsonProperty @NotBlank public String name;
    @JsonProperty @NotBlank public String nodeLabelValue;

    @JsonProperty
    @Min(1)
    public int gpusPerNode;

    @JsonProperty
    @Min(0)
    public int cpusPerNode;

    @JsonProperty
    @Min(0)
    public int memoryGbPerNode;
  }
}
