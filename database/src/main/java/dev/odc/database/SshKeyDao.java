package dev.odc.database;

import dev.odc.core.SshKey;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The {@code ssh_keys} table: users' public keys. Only public keys are ever stored; the api-service
 * refuses anything else before it gets here.
 */
@RegisterConstructorMapper(SshKey.class)
public interface SshKeyDao {
  String COLUMNS = "id, user_id, name, key_type as type, bits, fingerprint, public_key, created_at";

  /**
   * Locks the user's row until the transaction ends, so that two concurrent adds cannot both pass
   * the per-user limit.
   *
   * @return false when the user does not exist
   */
  @SqlQuery("select true from users where id = :userId for update")
  Optional<Boolean> lockUser(@Bind("userId") UUID userId);

  @SqlQuery("select count(*) from ssh_keys where user_id = :userId")
  int countByUser(@Bind("userId") UUID userId);

  @SqlQuery(
      "select " + COLUMNS + " from ssh_keys where user_id = :userId and fingerprint = :fingerprint")
  Optional<SshKey> findByFingerprint(
      @Bind("userId") UUID userId, @Bind("fingerprint") String fingerprint);

  @SqlUpdate(
      "insert into ssh_keys (id, user_id, name, key_type, bits, fingerprint, public_key,"
          + " created_at) values (:id, :userId, :name, :type, :bits, :fingerprint, :publicKey,"
          + " :createdAt)")
  void insert(@BindMethods SshKey key);

  @SqlQuery("select " + COLUMNS + " from ssh_keys where id = :id")
  Optional<SshKey> findById(@Bind("id") UUID id);

  /** The user's keys, oldest first (the order they appear in {@code authorized_keys}). */
  @SqlQuery("select " + COLUMNS + " from ssh_keys where user_id = :userId order by created_at, id")
  List<SshKey> listByUser(@Bind("userId") UUID userId);

  /** The keys of the user with this username, oldest first; empty for an unknown user. */
  @SqlQuery(
      "select k.id, k.user_id, k.name, k.key_type as type, k.bits, k.fingerprint, k.public_key,"
          + " k.created_at from ssh_keys k join users u on u.id = k.user_id"
          + " where u.username = :username order by k.created_at, k.id")
  List<SshKey> listByUsername(@Bind("username") String username);

  /**
   * @return false when there was no such key
   */
  @SqlUpdate("delete from ssh_keys where id = :id")
  boolean delete(@Bind("id") UUID id);
}
