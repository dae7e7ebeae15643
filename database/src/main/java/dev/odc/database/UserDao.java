package dev.odc.database;

import dev.odc.core.Role;
import dev.odc.core.User;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The {@code users} table. Users are created on first login (OIDC) or by an admin. */
public interface UserDao {
  String COLUMNS = "id, issuer, subject, username, email, roles, disabled, created_at";

  /**
   * Inserts a user, or returns the existing one with the same issuer and subject after updating its
   * email and roles (the identity provider is the source of truth for both).
   *
   * @throws org.jdbi.v3.core.statement.UnableToExecuteStatementException when the username is taken
   *     by another identity (unique violation, SQLState 23505)
   */
  default User upsert(User user) {
    return upsertRow(
        user.id(),
        user.issuer(),
        user.subject(),
        user.username(),
        user.email(),
        roleNames(user.roles()),
        user.disabled(),
        user.createdAt());
  }

  @SqlQuery(
      "insert into users (id, issuer, subject, username, email, roles, disabled, created_at)"
          + " values (:id, :issuer, :subject, :username, :email, :roles, :disabled, :createdAt)"
          + " on conflict (issuer, subject) do update set email = excluded.email,"
          + " roles = excluded.roles returning "
          + COLUMNS)
  User upsertRow(
      @Bind("id") UUID id,
      @Bind("issuer") String issuer,
      @Bind("subject") String subject,
      @Bind("username") String username,
      @Bind("email") String email,
      @Bind("roles") String[] roles,
      @Bind("disabled") boolean disabled,
      @Bind("createdAt") java.time.Instant createdAt);

  @SqlQuery("select " + COLUMNS + " from users where id = :id")
  Optional<User> findById(@Bind("id") UUID id);

  @SqlQuery("select " + COLUMNS + " from users where issuer = :issuer and subject = :subject")
  Optional<User> findByIssuerAndSubject(
      @Bind("issuer") String issuer, @Bind("subject") String subject);

  @SqlQuery("select " + COLUMNS + " from users where username = :username")
  Optional<User> findByUsername(@Bind("username") String username);

  /**
   * Records that the identity provider stated this user's roles at {@code at}; a no-op when it was
   * recorded less than {@code minInterval} seconds before, so every login need not write.
   */
  @SqlUpdate(
      "update users set roles_confirmed_at = :at where id = :id and (roles_confirmed_at is null"
          + " or roles_confirmed_at < cast(:at as timestamptz) - make_interval(secs => :minInterval))")
  boolean confirmRoles(
      @Bind("id") UUID id, @Bind("at") java.time.Instant at, @Bind("minInterval") long minInterval);

  @SqlQuery("select " + COLUMNS + " from users order by username")
  List<User> list();

  /**
   * @return false when there is no such user
   */
  @SqlUpdate("update users set disabled = :disabled where id = :id")
  boolean setDisabled(@Bind("id") UUID id, @Bind("disabled") boolean disabled);

  /**
   * @return false when there is no such user
   */
  default boolean setRoles(UUID id, Set<Role> roles) {
    return setRoleNames(id, roleNames(roles));
  }

  @SqlUpdate("update users set roles = :roles where id = :id")
  boolean setRoleNames(@Bind("id") UUID id, @Bind("roles") String[] roles);

  private static String[] roleNames(Set<Role> roles) {
    return roles.stream().map(Role::name).sorted().toArray(String[]::new);
  }
}
