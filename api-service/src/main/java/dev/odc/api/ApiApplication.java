package dev.odc.api;

import dev.odc.api.auth.ApiKeyAuthProvider;
import dev.odc.api.auth.ApiKeyIssuer;
import dev.odc.api.auth.AuthProvider;
import dev.odc.api.auth.AwsIamAuthProvider;
import dev.odc.api.auth.ChainedAuthenticator;
import dev.odc.api.auth.JsonUnauthorizedHandler;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.auth.OidcAuthProvider;
import dev.odc.api.auth.RoleAuthorizer;
import dev.odc.api.auth.ScopeFilter;
import dev.odc.api.auth.UserDirectory;
import dev.odc.api.console.Console;
import dev.odc.api.db.CachedNameTemplateEngine;
import dev.odc.api.errors.ApiExceptionMapper;
import dev.odc.api.errors.CatchAllMapper;
import dev.odc.api.errors.DatabaseUnavailableMapper;
import dev.odc.api.errors.InputFilter;
import dev.odc.api.errors.JsonErrorHandler;
import dev.odc.api.errors.JsonExceptionMapper;
import dev.odc.api.errors.RequestLogs;
import dev.odc.api.errors.RequestSizeFilter;
import dev.odc.api.errors.StrictJson;
import dev.odc.api.errors.WebApplicationExceptionMapper;
import dev.odc.api.health.OidcHealthCheck;
import dev.odc.api.health.QueueHealthCheck;
import dev.odc.api.resources.ApiKeyResource;
import dev.odc.api.resources.AuditResource;
import dev.odc.api.resources.AuthResource;
import dev.odc.api.resources.AvailabilityResource;
import dev.odc.api.resources.DiskResource;
import dev.odc.api.resources.MeResource;
import dev.odc.api.resources.OpenApiResource;
import dev.odc.api.resources.ReservationResource;
import dev.odc.api.service.ApiKeyService;
import dev.odc.api.service.AuditAnchorLog;
import dev.odc.api.service.AuditService;
import dev.odc.api.service.AvailabilityService;
import dev.odc.api.service.DiskService;
import dev.odc.api.service.ReservationService;
import dev.odc.api.ssh.SshAccess;
import dev.odc.api.ssh.TunnelTargets;
import dev.odc.core.service.ServiceApplication;
import dev.odc.database.Database;
import dev.odc.database.GpuTypeDao;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jdbi3.JdbiFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ODC API. Start it like any Dropwizard application: {@code java -jar api-service.jar server
 * config.yml}, or from other JVM code with {@code new ApiApplication().run("server", path)} or
 * {@code DropwizardAppExtension}.
 */
public class ApiApplication extends ServiceApplication<ApiConfiguration> {
  private static final Logger log = LoggerFactory.getLogger(ApiApplication.class);
  private final Clock clock;
  private final TunnelTargets tunnelTargets;

  public ApiApplication() {
    this(Clock.systemUTC());
  }

  /** With another clock, for tests of expiry and TTLs. */
  public ApiApplication(Clock clock) {
    this(clock, null);
  }

  /**
   * With where the SSH tunnel connects, for the sandbox, whose "pods" are processes on loopback.
   *
   * @param tunnelTargets null for the addresses the processor records
   */
  public ApiApplication(Clock clock, TunnelTargets tunnelTargets) {
    this.clock = clock;
    this.tunnelTargets = tunnelTargets;
  }

  public static void main(String[] args) throws Exception {
    new ApiApplication().run(args);
  }

  @Override
  public String getName() {
    return "odc-api";
  }

  @Override
  public void initialize(Bootstrap<ApiConfiguration> bootstrap) {
    super.initialize(bootstrap);
    bootstrap.addCommand(new MigrateCommand());
  }

  @Override
  public void run(ApiConfiguration config, Environment environment) {
    StrictJson.apply(environment.getObjectMapper());
    RequestLogs.withoutQueryStrings(config);
    if (config.getServerFactory() instanceof AbstractServerFactory server) {
      // our mappers give every error the one ODC shape
      server.setRegisterDefaultExceptionMappers(false);
    }

    ManagedDataSource dataSource = config.getDatabase().build(environment.metrics(), "postgresql");
    if (config.isMigrateOnStart()) {
      Database.migrate(dataSource);
    }
    Jdbi jdbi =
        Database.configure(
            new JdbiFactory().build(environment, config.getDatabase(), dataSource, "postgresql"));
    // same SQL text as JdbiFactory's name-prepending engine, but through Jdbi's template cache
    jdbi.setTemplateEngine(new CachedNameTemplateEngine());
    upsertGpuTypes(config, jdbi);

    UserDirectory users =
        new UserDirectory(
            jdbi, clock, java.time.Duration.ofMillis(config.getUserCacheTtl().toMilliseconds()));
    ApiKeyIssuer issuer = new ApiKeyIssuer(clock);
    List<AuthProvider<String>> providers = new ArrayList<>();
    providers.add(
        new ApiKeyAuthProvider(
            jdbi,
            clock,
            java.time.Duration.ofMillis(config.getApiKeys().roleMaxAge.toMilliseconds())));
    if (config.getOidc().enabled) {
      OidcAuthProvider oidc = new OidcAuthProvider(config.getOidc(), users);
      providers.add(oidc);
      environment.healthChecks().register("oidc", new OidcHealthCheck(oidc.discovery()));
      // the web console under / logs in through the same issuer (it needs OIDC)
      Console.register(environment, config, jdbi, oidc, clock);
    }
    Optional<AwsIamAuthProvider> aws =
        config.getAws().enabled
            ? Optional.of(new AwsIamAuthProvider(config.getAws(), users))
            : Optional.empty();

    ChainedAuthenticator authenticator = new ChainedAuthenticator(providers);
    environment
        .jersey()
        .register(
            new AuthDynamicFeature(
                new OAuthCredentialAuthFilter.Builder<OdcPrincipal>()
                    .setAuthenticator(authenticator)
                    .setAuthorizer(new RoleAuthorizer())
                    .setPrefix("Bearer")
                    .setRealm("odc")
                    .setUnauthorizedHandler(new JsonUnauthorizedHandler())
                    .buildAuthFilter()));
    environment.jersey().register(RolesAllowedDynamicFeature.class);
    environment.jersey().register(new ScopeFilter());
    environment.jersey().register(new AuthValueFactoryProvider.Binder<>(OdcPrincipal.class));

    JsonErrorHandler jettyErrors = new JsonErrorHandler();
    environment.getApplicationContext().setErrorHandler(jettyErrors);
    environment
        .lifecycle()
        .addServerLifecycleListener(server -> server.setErrorHandler(jettyErrors));
    environment.jersey().register(new InputFilter());
    environment.jersey().register(new RequestSizeFilter(config.getMaxRequestSize().toBytes()));
    environment.jersey().register(new ApiExceptionMapper());
    environment.jersey().register(new JsonExceptionMapper());
    environment.jersey().register(new WebApplicationExceptionMapper());
    environment.jersey().register(new DatabaseUnavailableMapper());
    environment.jersey().register(new CatchAllMapper());

    ReservationService reservations =
        new ReservationService(jdbi, config.getLimits(), config.getDefaultImage(), clock);
    environment.jersey().register(new ReservationResource(reservations));
    environment
        .jersey()
        .register(new DiskResource(new DiskService(jdbi, config.getLimits(), clock)));
    environment.jersey().register(new AuditResource(new AuditService(jdbi)));
    environment
        .lifecycle()
        .manage(
            new AuditAnchorLog(
                jdbi,
                java.time.Duration.ofMillis(config.getAuditAnchorInterval().toMilliseconds())));
    environment
        .jersey()
        .register(new ApiKeyResource(new ApiKeyService(jdbi, config.getApiKeys(), issuer, clock)));
    environment.jersey().register(new AuthResource(config, jdbi, aws, issuer));
    environment.jersey().register(new MeResource(jdbi, config.getLimits()));
    environment
        .jersey()
        .register(
            new AvailabilityResource(
                new AvailabilityService(jdbi, config.isSimulatedCluster(), clock)));
    environment.jersey().register(new OpenApiResource());
    SshAccess.install(
        environment, config.getSsh(), jdbi, authenticator, reservations, tunnelTargets, clock);

    environment.healthChecks().register("queue", new QueueHealthCheck(jdbi));
    servePrometheus(environment);
  }

  private static void upsertGpuTypes(ApiConfiguration config, Jdbi jdbi) {
    GpuTypeDao types = jdbi.onDemand(GpuTypeDao.class);
    for (ApiConfiguration.GpuTypeConfig type : config.getGpuTypes()) {
      types.upsertDefinition(
          type.name, type.nodeLabelValue, type.gpusPerNode, type.cpusPerNode, type.memoryGbPerNode);
    }
    log.info("Configured {} GPU types", config.getGpuTypes().size());
  }
}
