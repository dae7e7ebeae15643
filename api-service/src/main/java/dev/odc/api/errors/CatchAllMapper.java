package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Anything unexpected: logged once with an id the client can quote; no internals in the body. */
public class CatchAllMapper implements ExceptionMapper<Throwable> {
  private static final Logger log = LoggerFactory.getLogger(CatchAllMapper.class);

  @Override
  public Response toResponse(Throwable e) {
    if (DatabaseUnavailableMapper.isUnavailable(e)) {
      return new DatabaseUnavailableMapper()
          .toResponse(new org.jdbi.v3.core.ConnectionException(e));
    }
    String id = UUID.randomUUID().toString();
    log.error("Unexpected error {}", id, e);
    return ErrorResponses.of(ErrorCode.INTERNAL, "internal error", Map.of("errorId", id));
  }
}
