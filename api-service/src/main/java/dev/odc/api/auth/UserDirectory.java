package dev.odc.api.auth;

import dev.odc.api.db.ApiQueries;
import dev.odc.api.db.AuditLog;
import dev.odc.api.errors.ApiException;
import dev.odc.core.AuditEvent;
import dev.odc.core.ErrorCode;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.UserDao;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Users as identity providers describe them; the first login creates the row. */
public class UserDirectory {
  private static final Logger log = LoggerFactory.getLogger(UserDirectory.class);
  private final Jdbi jdbi;
  private final Clock clock;

  public UserDirectory(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /**
   * The user with this issuer and subject, created (with a {@code user.create} audit row) when new,
   * its email and roles updated when the identity provider says otherwise now.
   *
   * @throws ApiException CONFLICT when the username belongs to another identity
   */
  public User login(String issuer, String subject, String username, String email, Set<Role> roles) {
    try {
      return jdbi.inTransaction(
          handle -> {
            UserDao users = handle.attach(UserDao.class);
            Optional<User> existing = users.findByIssuerAndSubject(issuer, subject);
            if (existing.isPresent()) {
              User user = existing.get();
              if (user.roles().equals(roles) && Objects.equals(user.email(), email)) {
                return user;
              }
              return users.upsert(
                  new User(
                      user.id(),
                      issuer,
                      subject,
                      user.username(),
                      email,
                      roles,
                      user.disabled(),
                      user.createdAt()));
            }
            User created =
                users.upsert(
                    new User(
                        UUID.randomUUID(),
                        issuer,
                        subject,
                        username,
                        email,
                        roles,
                        false,
                        clock.instant()));
            AuditLog.record(
                handle.attach(ApiQueries.class),
                created.username(),
                "user.create",
                "user",
                created.id().toString(),
                AuditEvent.SUCCESS,
                Map.of("issuer", issuer, "roles", roles));
            log.info("Created user {} for issuer {}", created.username(), issuer);
            return created;
          });
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        throw new ApiException(
            ErrorCode.CONFLICT,
            "username '" + username + "' already belongs to another identity; ask an admin");
      }
      throw e;
    }
  }
}
