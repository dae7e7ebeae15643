package dev.odc.api.health;

import com.codahale.metrics.health.HealthCheck;
import dev.odc.api.auth.OidcDiscovery;

/** The issuer's discovery document can be read and names our issuer. */
public class OidcHealthCheck extends HealthCheck {
  private final OidcDiscovery discovery;

  public OidcHealthCheck(OidcDiscovery discovery) {
    this.discovery = discovery;
  }

  @Override
  protected Result check() throws Exception {
    return Result.healthy("jwks_uri " + discovery.fetchJwksUri());
  }
}
