package dev.odc.database;

import dev.odc.core.ApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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

  default void insert(ApiKey key, String keyHash) {
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
        key.expiresAt());
  }

  @SqlUpdate(
      "insert into api_keys (id, user_id, name, prefix, key_hash, scopes, created_at, expires_at)"
          + " values (:id, :userId, :name, :prefix, :keyHash, :scopes, :createdAt, :expiresAt)")
  void insertRow(
      @Bind("id") UUID id,
      @Bind("userId") UUID userId,
      @Bind("name") String name,
      @Bind("prefix") String prefix,
      @Bind("keyHash") String keyHash,
      @Bind("scopes") String[] scopes,
      @Bind("createdAt") Instant createdAt,
      @Bind("expiresAt") Instant expiresAt);

  /** The key with this hash, whether usable or not: check {@link ApiKey#usableAt}. */
  @SqlQuery("select " + COLUMNS + " from api_keys where key_hash = :keyHash")
  Optional<ApiKey> findByHash(@Bind("keyHash") String keyHash);

  @SqlQuery("select " + COLUMNS + " from api_keys where id = :id")
  Optional<ApiKey> findById(@Bind("id") UUID id);

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
}
