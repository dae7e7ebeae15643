package dev.odc.api.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * The web console: pages under {@code /}, logged in through the API's OIDC issuer with the
 * authorization-code flow run by the server (tokens never reach the browser).
 */
public class ConsoleConfig {
  /** False serves no console (the API under {@code /v1} is unaffected). */
  @JsonProperty public boolean enabled = true;

  /**
   * The OIDC client the console logs in with; empty uses {@code oidc.clientId}. Its redirect URI is
   * {@code <publicUrl>/auth/callback}.
   */
  @JsonProperty public String clientId;

  /** The client's secret when the identity provider treats it as confidential; else empty. */
  @JsonProperty public String clientSecret;

  /**
   * The console's origin as browsers see it, e.g. {@code https://odc.example.com}: the redirect URI
   * and the Origin that state-changing requests must carry. Empty takes both from each request's
   * Host header (fine behind a proxy that sets it, and for a loopback sandbox).
   */
  @JsonProperty
  @Pattern(regexp = "^$|^https?://[^/?#]+$", message = "must be scheme://host[:port], no path")
  public String publicUrl;

  /**
   * Marks the session cookie {@code Secure}. False is honoured only for requests to a loopback
   * address over plain http (a developer's machine or the sandbox); everywhere else the cookie is
   * Secure whatever this says.
   */
  @JsonProperty public boolean secureCookie = true;

  /** {@code Lax} (default) or {@code Strict}. */
  @JsonProperty
  @NotNull
  @Pattern(regexp = "Lax|Strict")
  public String sameSite = "Lax";

  /** A session unused for this long ends. */
  @JsonProperty @NotNull public Duration sessionIdleTimeout = Duration.hours(1);

  /** A session ends this long after login, used or not. */
  @JsonProperty @NotNull public Duration sessionMaxAge = Duration.hours(12);

  /** How long a user may take at the identity provider's login page. */
  @JsonProperty @NotNull public Duration loginTimeout = Duration.minutes(10);
}
