package dev.odc.api.auth;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The scopes an API key may carry, and what each allows. A key with no scopes may do everything its
 * user may (like an OIDC token). A key with scopes may read everything its user may ({@code GET},
 * {@code HEAD}), and change only what its scopes name:
 *
 * <ul>
 *   <li>{@code read}: nothing more (read-only key);
 *   <li>{@code reservations}: create, cancel and extend reservations ({@code /v1/reservations});
 *   <li>{@code disks}: create, rename, restore and delete disks ({@code /v1/disks});
 *   <li>{@code api-keys}: create and revoke API keys ({@code /v1/api-keys}), with at most the
 *       calling key's own scopes.
 * </ul>
 *
 * Any other change needs a key without scopes. docs/api.md lists the same names.
 */
public final class ApiScopes {
  public static final String READ = "read";
  public static final String RESERVATIONS = "reservations";
  public static final String DISKS = "disks";
  public static final String API_KEYS = "api-keys";

  /** Every scope name a key may be created with. */
  public static final List<String> ALL = List.of(READ, RESERVATIONS, DISKS, API_KEYS);

  private ApiScopes() {}

  public static boolean isKnown(String scope) {
    return ALL.contains(scope);
  }

  /**
   * Whether a caller with these scopes may make this request.
   *
   * @param scopes the key's scopes; empty means unrestricted
   * @param method the HTTP method
   * @param path the request path relative to the application root, e.g. {@code v1/disks/home}
   */
  public static boolean allows(Collection<String> scopes, String method, String path) {
    if (scopes.isEmpty()) {
      return true;
    }
    String m = method.toUpperCase(Locale.ROOT);
    if (m.equals("GET") || m.equals("HEAD")) {
      return true;
    }
    String needed = scopeFor(path);
    return needed != null && scopes.contains(needed);
  }

  /** The scope a change to {@code path} needs, or null when only an unrestricted key may. */
  static String scopeFor(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (under(p, "v1/reservations")) {
      return RESERVATIONS;
    }
    if (under(p, "v1/disks")) {
      return DISKS;
    }
    if (under(p, "v1/api-keys")) {
      return API_KEYS;
    }
    return null;
  }

  private static boolean under(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /**
   * Whether a key with {@code requested} scopes gives no more than {@code caller}'s: an
   * unrestricted caller may give anything; a restricted one only a non-empty subset of its own.
   */
  public static boolean within(Set<String> caller, Collection<String> requested) {
    return caller.isEmpty() || (!requested.isEmpty() && caller.containsAll(requested));
  }
}
