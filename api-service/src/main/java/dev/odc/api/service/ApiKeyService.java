package dev.odc.api.service;

import dev.odc.api.ApiConfiguration.ApiKeysConfig;
import dev.odc.api.auth.ApiKeyIssuer;
import dev.odc.api.auth.ApiScopes;
import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.errors.ApiException;
import dev.odc.core.ApiKey;
import dev.odc.core.AuditEvent;
import dev.odc.core.ErrorCode;
import dev.odc.core.api.ApiKeyCreated;
import dev.odc.core.api.CreateApiKeyRequest;
import dev.odc.database.ApiKeyDao;
import dev.odc.database.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/** The caller's API keys. */
public class ApiKeyService {
  private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}");

  private final Jdbi jdbi;
  private final ApiKeysConfig config;
  private final ApiKeyIssuer issuer;
  private final Clock clock;

  public ApiKeyService(Jdbi jdbi, ApiKeysConfig config, ApiKeyIssuer issuer, Clock clock) {
    this.jdbi = jdbi;
    this.config = config;
    this.issuer = issuer;
    this.clock = clock;
  }

  public ApiKeyCreated create(OdcPrincipal caller, CreateApiKeyRequest request) {
    Validation.required(request, "body");
    String name = Validation.required(request.name(), "name");
    if (!KEY_NAME.matcher(name).matches()) {
      throw ApiException.invalid(
          "name", "name must be 1-63 letters, digits, spaces, '.', '_' or '-'");
    }
    for (String scope : request.scopes()) {
      if (scope == null || !ApiScopes.isKnown(scope)) {
        throw ApiException.invalid(
            "scopes", "unknown scope '" + scope + "'; known scopes: " + ApiScopes.ALL);
      }
    }
    List<String> scopes = request.scopes().stream().distinct().sorted().toList();
    if (scopes.isEmpty() && !caller.scopes().isEmpty()) {
      // a restricted key makes keys with its own scopes, never an unrestricted one
      scopes = caller.scopes().stream().sorted().toList();
    }
    if (!ApiScopes.within(caller.scopes(), scopes)) {
      throw new ApiException(
          ErrorCode.FORBIDDEN,
          "a key with scopes "
              + caller.scopes().stream().sorted().toList()
              + " cannot create a key with scopes "
              + scopes);
    }
    List<String> granted = scopes;
    Duration ttl =
        request.ttlHours() == null
            ? Duration.ofMillis(config.defaultTtl.toMilliseconds())
            : Duration.ofHours(request.ttlHours());
    if (ttl.isNegative() || ttl.isZero()) {
      throw ApiException.invalid("ttlHours", "ttlHours must be positive");
    }
    long maxHours = config.maxTtl.toHours();
    if (ttl.toMillis() > config.maxTtl.toMilliseconds()) {
      throw ApiException.limit(
          "apiKeys.maxTtl", maxHours, "ttlHours exceeds the limit of " + maxHours + " hours");
    }
    ApiKey parent = caller.key().orElse(null);
    if (parent != null
        && request.ttlHours() != null
        && clock.instant().plus(ttl).isAfter(parent.expiresAt())) {
      // a key never outlives the key that made it; without ttlHours the default is cut short
      throw new ApiException(
          ErrorCode.FORBIDDEN,
          "a key made with an API key cannot outlive it: this one expires at "
              + parent.expiresAt()
              + "; ask for fewer ttlHours or omit them",
          Map.of("expiresAt", parent.expiresAt().toString()));
    }
    String origin = parent == null ? ApiKeyDao.ORIGIN_OIDC : ApiKeyDao.ORIGIN_API_KEY;
    return jdbi.inTransaction(
        handle -> {
          if (parent != null) {
            // the parent may have been revoked since this request authenticated
            ApiKeyDao keys = handle.attach(ApiKeyDao.class);
            boolean usable =
                keys.lockForChild(parent.id()).filter(k -> k.usableAt(clock.instant())).isPresent()
                    && keys.standing(parent.id(), clock.instant())
                        .map(ApiKeyDao.Standing::lineageUsable)
                        .orElse(false);
            if (!usable) {
              throw new ApiException(
                  ErrorCode.UNAUTHENTICATED, "the API key of this request is no longer valid");
            }
          }
          return issuer.issue(
              handle,
              caller.user(),
              caller.getName(),
              name,
              ttl,
              granted,
              parent,
              origin,
              Map.of(
                  "name",
                  name,
                  "ttlHours",
                  ttl.toHours(),
                  "via",
                  caller.method(),
                  "scopes",
                  granted));
        });
  }

  public List<ApiKey> list(OdcPrincipal caller) {
    return jdbi.onDemand(ApiKeyDao.class).listByUser(caller.user().id());
  }

  /** Revokes one of the caller's keys; someone else's key answers 404. */
  public ApiKey revoke(OdcPrincipal caller, String id) {
    UUID keyId;
    try {
      keyId = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("API key", id);
    }
    return jdbi.inTransaction(
        handle -> {
          ApiKeyDao keys = handle.attach(ApiKeyDao.class);
          Optional<ApiKey> key =
              keys.findById(keyId)
                  .filter(k -> k.userId().equals(caller.user().id()) || caller.isAdmin());
          if (key.isEmpty()) {
            throw ApiException.notFound("API key", id);
          }
          if (key.get().revokedAt() == null) {
            // the keys made from this one, however indirectly, go with it
            keys.revokeWithDescendants(keyId, clock.instant());
            AuditLog.append(
                handle,
                caller.getName(),
                "apikey.revoke",
                "apikey",
                keyId.toString(),
                AuditEvent.SUCCESS,
                Map.of("name", key.get().name()));
          }
          return keys.findById(keyId).orElseThrow();
        });
  }
}
