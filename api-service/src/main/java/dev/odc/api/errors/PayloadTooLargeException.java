package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import java.util.Map;

/** The request body is larger than {@code maxRequestSize}. */
public class PayloadTooLargeException extends ApiException {
  private static final long serialVersionUID = 1L;

  public PayloadTooLargeException(long maxBytes) {
    super(
        ErrorCode.PAYLOAD_TOO_LARGE,
        "request body is larger than " + maxBytes + " bytes",
        Map.of("maxBytes", maxBytes));
  }
}
