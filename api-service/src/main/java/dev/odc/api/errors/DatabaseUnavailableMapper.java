package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import dev.odc.core.api.ErrorResponse;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database failures. Lost or refused connections answer 503 with {@code Retry-After}: the
 * transaction rolled back, so nothing was half written and the client may retry. Anything else is
 * an internal error, logged once with an id.
 */
public class DatabaseUnavailableMapper implements ExceptionMapper<JdbiException> {
  private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailableMapper.class);
  static final int RETRY_AFTER_SECONDS = 5;

  @Override
  public Response toResponse(JdbiException e) {
    if (isUnavailable(e)) {
      log.warn("Database unavailable: {}", e.toString());
      return ErrorResponses.builder(
              503,
              new ErrorResponse(
                  ErrorCode.UNAVAILABLE,
                  "the database is unavailable; nothing was changed, retry later",
                  Map.of("retryAfterSeconds", RETRY_AFTER_SECONDS)))
          .header("Retry-After", RETRY_AFTER_SECONDS)
          .build();
    }
    String id = UUID.randomUUID().toString();
    log.error("Database error {}", id, e);
    return ErrorResponses.of(ErrorCode.INTERNAL, "internal error", Map.of("errorId", id));
  }

  /** True for failures that mean "no database right now" rather than a bad statement. */
  public static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectionException || t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // class 08: connection exceptions; 57P0x: the server is shutting down or restarting
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
