package dev.odc.api.console;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The console's cookies and the origin it expects, from its configuration and the request. */
public class ConsoleHttp {
  static final String SESSION_COOKIE_SECURE = "__Host-odc_console";
  static final String SESSION_COOKIE_PLAIN = "odc_console";
  static final String LOGIN_COOKIE_SECURE = "__Secure-odc_console_login";
  static final String LOGIN_COOKIE_PLAIN = "odc_console_login";
  static final String CALLBACK_PATH = "/auth/callback";
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final ConsoleConfig config;
  private final Optional<URI> publicUrl;

  public ConsoleHttp(ConsoleConfig config) {
    this.config = config;
    this.publicUrl =
        config.publicUrl == null || config.publicUrl.isBlank()
            ? Optional.empty()
            : Optional.of(URI.create(config.publicUrl));
    publicUrl.ifPresent(
        url -> {
          if (!config.secureCookie && !loopbackHttp(url)) {
            throw new IllegalArgumentException(
                "console.secureCookie: false is only for http on a loopback address, not "
                    + config.publicUrl);
          }
        });
  }

  /** {@code scheme://host[:port]} as browsers see the console. */
  public String origin(UriInfo uri) {
    URI base = publicUrl.orElse(uri.getBaseUri());
    String scheme = base.getScheme().toLowerCase(Locale.ROOT);
    int port = base.getPort();
    boolean defaultPort =
        port == -1
            || (scheme.equals("https") && port == 443)
            || (scheme.equals("http") && port == 80);
    return scheme
        + "://"
        + base.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port);
  }

  public String redirectUri(UriInfo uri) {
    return origin(uri) + CALLBACK_PATH;
  }

  /** Secure unless configured off and the console is reached over http on loopback. */
  boolean secure(UriInfo uri) {
    return config.secureCookie || !loopbackHttp(URI.create(origin(uri)));
  }

  private static boolean loopbackHttp(URI url) {
    return "http".equalsIgnoreCase(url.getScheme())
        && url.getHost() != null
        && LOOPBACK.contains(url.getHost().toLowerCase(Locale.ROOT));
  }

  private NewCookie.SameSite sameSite() {
    return "Strict".equals(config.sameSite) ? NewCookie.SameSite.STRICT : NewCookie.SameSite.LAX;
  }

  String sessionCookieName(UriInfo uri) {
    return secure(uri) ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;
  }

  Optional<String> sessionCookie(ContainerRequestContext request) {
    return value(request.getCookies().get(sessionCookieName(request.getUriInfo())));
  }

  Optional<String> loginCookie(UriInfo uri, java.util.Map<String, Cookie> cookies) {
    return value(cookies.get(secure(uri) ? LOGIN_COOKIE_SECURE : LOGIN_COOKIE_PLAIN));
  }

  private static Optional<String> value(Cookie cookie) {
    return cookie == null || cookie.getValue() == null || cookie.getValue().isBlank()
        ? Optional.empty()
        : Optional.of(cookie.getValue());
  }

  NewCookie session(UriInfo uri, String value) {
    return new NewCookie.Builder(sessionCookieName(uri))
        .value(value)
        .path("/")
        .httpOnly(true)
        .secure(secure(uri))
        .sameSite(sameSite())
        .build();
  }

  NewCookie clearSession(UriInfo uri) {
    return new NewCookie.Builder(sessionCookieName(uri))
        .value("")
        .path("/")
        .maxAge(0)
        .httpOnly(true)
        .secure(secure(uri))
        .sameSite(sameSite())
        .build();
  }

  /**
   * Binds a login in flight to the browser that started it: the callback must come with this
   * cookie. Lax, because the callback is a top-level navigation from the identity provider.
   */
  NewCookie login(UriInfo uri, String state) {
    return new NewCookie.Builder(secure(uri) ? LOGIN_COOKIE_SECURE : LOGIN_COOKIE_PLAIN)
        .value(state)
        .path(CALLBACK_PATH)
        .maxAge((int) config.loginTimeout.toSeconds())
        .httpOnly(true)
        .secure(secure(uri))
        .sameSite(NewCookie.SameSite.LAX)
        .build();
  }

  NewCookie clearLogin(UriInfo uri) {
    return new NewCookie.Builder(secure(uri) ? LOGIN_COOKIE_SECURE : LOGIN_COOKIE_PLAIN)
        .value("")
        .path(CALLBACK_PATH)
        .maxAge(0)
        .httpOnly(true)
        .secure(secure(uri))
        .sameSite(NewCookie.SameSite.LAX)
        .build();
  }
}
