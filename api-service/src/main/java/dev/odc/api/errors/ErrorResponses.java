package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import dev.odc.core.api.ErrorResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Builds responses carrying the one error shape. */
public final class ErrorResponses {
  private ErrorResponses() {}

  public static Response of(ErrorCode code, String message) {
    return of(code, message, Map.of());
  }

  public static Response of(ErrorCode code, String message, Map<String, Object> details) {
    return builder(code.httpStatus(), new ErrorResponse(code, message, details)).build();
  }

  public static Response.ResponseBuilder builder(int status, ErrorResponse body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
  }
}
