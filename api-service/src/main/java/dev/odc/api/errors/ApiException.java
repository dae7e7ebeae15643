package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import java.util.Map;

/** A failure the client can act on; mapped to {@link dev.odc.core.api.ErrorResponse}. */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;
  private final transient Map<String, Object> details;

  public ApiException(ErrorCode code, String message) {
    this(code, message, Map.of());
  }

  public ApiException(ErrorCode code, String message, Map<String, Object> details) {
    super(message);
    this.code = code;
    this.details = Map.copyOf(details);
  }

  public ErrorCode code() {
    return code;
  }

  public Map<String, Object> details() {
    return details;
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(ErrorCode.INVALID_ARGUMENT, message, Map.of("field", field));
  }

  public static ApiException notFound(String what, String id) {
    return new ApiException(ErrorCode.NOT_FOUND, what + " '" + id + "' not found");
  }

  public static ApiException limit(String limit, Object max, String message) {
    return new ApiException(ErrorCode.LIMIT_EXCEEDED, message, Map.of("limit", limit, "max", max));
  }
}
