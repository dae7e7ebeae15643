package dev.odc.database;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The web console's {@code console_sessions} and the logins in flight, {@code console_logins}. Both
 * are keyed by a hex SHA-256 computed by the caller: the session id and the OAuth state themselves
 * never reach the database.
 */
public interface ConsoleSessionDao {
  /** A stored session; {@code roles} are {@link dev.odc.core.Role} names. */
  record SessionRow(
      String idHash,
      UUID userId,
      String[] roles,
      String csrfToken,
      Instant createdAt,
      Instant lastSeenAt,
      Instant expiresAt) {}

  /** A login between the redirect to the identity provider and its callback. */
  record LoginRow(String stateHash, String codeVerifier, String nonce, String returnTo) {}

  @SqlUpdate(
      "insert into console_sessions"
          + " (id_hash, user_id, roles, csrf_token, created_at, last_seen_at, expires_at)"
          + " values (:idHash, :userId, :roles, :csrfToken, :createdAt, :createdAt, :expiresAt)")
  void insertSession(
      @Bind("idHash") String idHash,
      @Bind("userId") UUID userId,
      @Bind("roles") String[] roles,
      @Bind("csrfToken") String csrfToken,
      @Bind("createdAt") Instant createdAt,
      @Bind("expiresAt") Instant expiresAt);

  /** The session, if it has neither expired nor been idle since {@code idleSince}. */
  @SqlQuery(
      "select id_hash, user_id, roles, csrf_token, created_at, last_seen_at, expires_at"
          + " from console_sessions where id_hash = :idHash and expires_at > :now"
          + " and last_seen_at > :idleSince")
  @RegisterConstructorMapper(SessionRow.class)
  Optional<SessionRow> findLive(
      @Bind("idHash") String idHash,
      @Bind("now") Instant now,
      @Bind("idleSince") Instant idleSince);

  @SqlUpdate("update console_sessions set last_seen_at = :at where id_hash = :idHash")
  void touch(@Bind("idHash") String idHash, @Bind("at") Instant at);

  /**
   * @return false when there was no such session
   */
  @SqlUpdate("delete from console_sessions where id_hash = :idHash")
  boolean deleteSession(@Bind("idHash") String idHash);

  /** Removes expired and idle sessions and expired logins; returns how many rows went. */
  default int purge(Instant now, Instant idleSince) {
    return purgeSessions(now, idleSince) + purgeLogins(now);
  }

  @SqlUpdate("delete from console_sessions where expires_at <= :now or last_seen_at <= :idleSince")
  int purgeSessions(@Bind("now") Instant now, @Bind("idleSince") Instant idleSince);

  @SqlUpdate("delete from console_logins where expires_at <= :now")
  int purgeLogins(@Bind("now") Instant now);

  @SqlUpdate(
      "insert into console_logins (state_hash, code_verifier, nonce, return_to, expires_at)"
          + " values (:stateHash, :codeVerifier, :nonce, :returnTo, :expiresAt)")
  void insertLogin(
      @Bind("stateHash") String stateHash,
      @Bind("codeVerifier") String codeVerifier,
      @Bind("nonce") String nonce,
      @Bind("returnTo") String returnTo,
      @Bind("expiresAt") Instant expiresAt);

  /**
   * Deletes and returns the login with this state, if it has not expired: each state works once.
   */
  @SqlQuery(
      "delete from console_logins where state_hash = :stateHash and expires_at > :now"
          + " returning state_hash, code_verifier, nonce, return_to")
  @RegisterConstructorMapper(LoginRow.class)
  Optional<LoginRow> takeLogin(@Bind("stateHash") String stateHash, @Bind("now") Instant now);
}
