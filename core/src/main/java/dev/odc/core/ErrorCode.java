package dev.odc.core;

/** Machine-readable error codes of the API; each maps to one HTTP status. */
public enum ErrorCode {
  INVALID_ARGUMENT(400),
  MALFORMED_REQUEST(400),
  UNAUTHENTICATED(401),
  FORBIDDEN(403),
  NOT_FOUND(404),
  CONFLICT(409),
  INVALID_STATE(409),
  PAYLOAD_TOO_LARGE(413),
  UNSUPPORTED_MEDIA_TYPE(415),
  LIMIT_EXCEEDED(422),
  RATE_LIMITED(429),
  INTERNAL(500),
  UNAVAILABLE(503);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
