package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * JAX-RS failures (no such path 404, wrong method 405, wrong media type 415, auth 401/403) in the
 * one error shape, keeping headers such as {@code WWW-Authenticate} and {@code Allow}.
 */
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
  @Override
  public Response toResponse(WebApplicationException e) {
    Response original = e.getResponse();
    int status = original.getStatus();
    ErrorCode code =
        switch (status) {
          case 400 -> ErrorCode.MALFORMED_REQUEST;
          case 401 -> ErrorCode.UNAUTHENTICATED;
          case 403 -> ErrorCode.FORBIDDEN;
          case 404, 405 -> ErrorCode.NOT_FOUND;
          case 406, 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
          case 409 -> ErrorCode.CONFLICT;
          case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
          case 429 -> ErrorCode.RATE_LIMITED;
          case 503 -> ErrorCode.UNAVAILABLE;
          default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT;
        };
    String message =
        switch (status) {
          case 401 -> "a valid bearer token or API key is required";
          case 403 -> "not allowed";
          case 404 -> "not found";
          case 405 -> "method not allowed";
          case 406 -> "only application/json responses are available";
          case 415 -> "use Content-Type: application/json";
          default -> status >= 500 ? "internal error" : reason(original);
        };
    Response.ResponseBuilder builder =
        ErrorResponses.builder(status, new dev.odc.core.api.ErrorResponse(code, message, null));
    for (String header : new String[] {HttpHeaders.WWW_AUTHENTICATE, HttpHeaders.ALLOW}) {
      Object value = original.getHeaders().getFirst(header);
      if (value != null) {
        builder.header(header, value);
      }
    }
    return builder.build();
  }

  private static String reason(Response response) {
    String phrase = response.getStatusInfo().getReasonPhrase();
    return phrase == null || phrase.isBlank() ? "request refused" : phrase.toLowerCase();
  }
}
