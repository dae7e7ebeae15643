package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * The OIDC issuer the API trusts and the CLI logs in with.
 *
 * @param url exactly the {@code iss} of the tokens
 * @param clientId the public client the CLI uses
 * @param audience the {@code aud} the API requires
 * @param simulated true for the sandbox's own loopback provider
 */
record Issuer(String url, String clientId, String audience, boolean simulated) {
  Issuer {
    requireNonNull(url, "url is null");
    requireNonNull(clientId, "clientId is null");
    requireNonNull(audience, "audience is null");
    URI uri = URI.create(url);
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("the issuer must be an http(s) URL, got " + url);
    }
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("the client id is blank");
    }
  }
}
