package dev.odc.cli;

import java.time.Instant;

/**
 * What a login leaves in {@code tokens.json}.
 *
 * @param apiUrl the API these tokens were obtained for
 * @param expiresAt when the access token expires; null when the provider did not say
 */
public record Tokens(
    String apiUrl,
    String issuer,
    String clientId,
    String tokenEndpoint,
    String accessToken,
    String refreshToken,
    String idToken,
    Instant expiresAt) {

  /** True when the access token is expired or expires within {@code marginSeconds}. */
  public boolean expiresWithin(Instant now, long marginSeconds) {
    return expiresAt != null && !now.plusSeconds(marginSeconds).isBefore(expiresAt);
  }

  public Tokens withAccess(String access, String refresh, String id, Instant expires) {
    return new Tokens(
        apiUrl,
        issuer,
        clientId,
        tokenEndpoint,
        access,
        refresh == null ? refreshToken : refresh,
        id == null ? idToken : id,
        expires);
  }

  @Override
  public String toString() {
    // Tokens must never end up in logs or error messages.
    return "Tokens[apiUrl=" + apiUrl + ", issuer=" + issuer + ", expiresAt=" + expiresAt + "]";
  }
}
