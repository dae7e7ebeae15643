package dev.odc.core.api;

import dev.odc.core.Checks;
import dev.odc.core.ErrorCode;
import java.util.Map;

/** The one error shape every API failure has. */
public record ErrorResponse(ErrorCode code, String message, Map<String, Object> details) {
  public ErrorResponse {
    Checks.notNull(code, "code");
    Checks.notBlank(message, "message");
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  public static ErrorResponse of(ErrorCode code, String message) {
    return new ErrorResponse(code, message, Map.of());
  }
}
