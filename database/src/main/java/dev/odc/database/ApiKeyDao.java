package dev.odc.database;

import dev.odc.core.ApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The {@code api_keys} table. Only a hash of each key is stored (hex SHA-256 of the whole key,
 * computed by the caller); the key itself never reaches the database or a log.
 */
public interface ApiKeyDao {
  String COLUMNS =
      "id, user_id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at";

  /** How a key was obtained. */
  String ORIGIN_OIDC = "oidc";

  String ORIGIN_API_KEY = "api-key";
  String ORIGIN_AWS_LOGIN = "aws-login";

  default void insert(ApiKey key, String keyHash) {
    insert(key, keyHash, null, null);
  }

  /**
   * Inserts a key.
   *
   * @param parentId the key that made this one (it must not outlive it), or null
   * @param origin how it was obtained ({@link #ORIGIN_OIDC}, {@link #ORIGIN_API_KEY}, {@link
   *     #ORIGIN_AWS_LOGIN}), or null
   */
  default void insert(ApiKey key, String keyHash, UUID parentId, String origin) {
    if (keyHash == null || keyHash.isBlank()) {
      throw new IllegalArgumentException("keyHash must not be blank");
    }
    insertRow(
        key.id(),
        key.userId(),
        key.name(),
        key.prefix(),
        keyHash,
        key.scopes().toArray(String[]::new),
        key.createdAt(),
        key.expiresAt(),
        parentId,
        origin);
  }

  @SqlUpdate(
      "insert into api_keys (id, user_id, name, prefix, key_hash, scopes, created_at, expires_at,"
          + " parent_id, origin) values (:id, :userId, :name, :prefix, :keyHash, :scopes,"
          + " :createdAt, :expiresAt, :parentId, :origin)")
  void insertRow(
      @Bind("id") UUID id,
      @Bind("userId") UUID userId,
      @Bind("name") String name,
      @Bind("prefix") String prefix,
      @Bind("keyHash") String keyHash,
      @Bind("scopes") String[] scopes,
      @Bind("createdAt") Instant createdAt,
      @Bind("expiresAt") Instant expiresAt,
      @Bind("parentId") UUID parentId,
      @Bind("origin") String origin);

  /**
   * What else decides whether a key may be used, besides its own expiry and revocation.
   *
   * @param lineageUsable every key it descends from is unrevoked and unexpired
   * @param origin how it was obtained, or null for keys older than this column
   * @param rolesConfirmedAt when the identity provider last stated its user's roles, or null
   */
  record Standing(boolean lineageUsable, String origin, Instant rolesConfirmedAt) {}

  /** The standing of key {@code id} at {@code now}; empty when there is no such key. */
  @SqlQuery(
      "with recursive chain (id, parent_id, usable, depth) as ("
          + " select id, parent_id, revoked_at is null and expires_at > :now, 0"
          + " from api_keys where id = :id"
          + " union all"
          + " select k.id, k.parent_id, k.revoked_at is null and k.expires_at > :now, c.depth + 1"
          + " from api_keys k join chain c on k.id = c.parent_id where c.depth < 64)"
          + " select (select bool_and(usable) and count(*) filter (where parent_id is not null"
          + " and depth = (select max(depth) from chain)) = 0 from chain) as lineage_usable,"
          + " k.origin, u.roles_confirmed_at"
          + " from api_keys k join users u on u.id = k.user_id where k.id = :id")
  @RegisterConstructorMapper(Standing.class)
  Optional<Standing> standing(@Bind("id") UUID id, @Bind("now") Instant now);

  /** The key with this hash, whether usable or not: check {@link ApiKey#usableAt}. */
  @SqlQuery("select " + COLUMNS + " from api_keys where key_hash = :keyHash")
  Optional<ApiKey> findByHash(@Bind("keyHash") String keyHash);

  @SqlQuery("select " + COLUMNS + " from api_keys where id = :id")
  Optional<ApiKey> findById(@Bind("id") UUID id);

  /**
   * Reads the key and locks its row against a concurrent revocation until the transaction ends, so
   * a key made from it cannot slip past the revocation of its parent.
   */
  @SqlQuery("select " + COLUMNS + " from api_keys where id = :id for share")
  Optional<ApiKey> lockForChild(@Bind("id") UUID id);

  @SqlQuery(
      "select " + COLUMNS + " from api_keys where user_id = :userId order by created_at desc, id")
  List<ApiKey> listByUser(@Bind("userId") UUID userId);

  /** Records a use; cheap enough to call on every authenticated request. */
  @SqlUpdate("update api_keys set last_used_at = :at where id = :id")
  boolean touchLastUsed(@Bind("id") UUID id, @Bind("at") Instant at);

  /**
   * @return false when the key does not exist or was already revoked
   */
  @SqlUpdate("update api_keys set revoked_at = :at where id = :id and revoked_at is null")
  boolean revoke(@Bind("id") UUID id, @Bind("at") Instant at);

  /**
   * Revokes a key and every key made from it, however indirectly.
   *
   * @return how many keys this revoked (0 when all were revoked already)
   */
  @SqlUpdate(
      "with recursive tree (id) as (select id from api_keys where id = :id"
          + " union select k.id from api_keys k join tree t on k.parent_id = t.id)"
          + " update api_keys set revoked_at = :at"
          + " where id in (select id from tree) and revoked_at is null")
  int revokeWithDescendants(@Bind("id") UUID id, @Bind("at") Instant at);
}
