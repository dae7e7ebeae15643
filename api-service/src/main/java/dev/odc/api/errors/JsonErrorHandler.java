package dev.odc.api.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.ErrorCode;
import dev.odc.core.Json;
import dev.odc.core.api.ErrorResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The one error shape for what Jetty refuses before the application sees it (an ambiguous or
 * malformed URI, a bad header): JSON whatever the client accepts, without Jetty's HTML page.
 */
public class JsonErrorHandler extends ErrorHandler {
  private static final ObjectMapper MAPPER = Json.newMapper();

  @Override
  protected boolean generateAcceptableResponse(
      Request request,
      Response response,
      Callback callback,
      String contentType,
      List<Charset> charsets,
      int code,
      String message,
      Throwable cause) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    return true;
  }

  /** Requests Jetty's parser refuses before there is a request to handle. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason));
  }

  private static byte[] body(int code, String message) {
    ErrorCode error = errorCode(code);
    String text =
        code >= 500
            ? "internal error"
            : "the request cannot be read" + (message == null ? "" : ": " + printable(message));
    try {
      return MAPPER.writeValueAsBytes(new ErrorResponse(error, text, Map.of()));
    } catch (JsonProcessingException e) {
      return ("{\"code\":\"" + error + "\",\"message\":\"error\",\"details\":{}}")
          .getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Jetty's reason, cut short and without control characters: it is shown to anyone. */
  private static String printable(String message) {
    String cut = message.length() > 120 ? message.substring(0, 120) : message;
    return cut.replaceAll("[\\p{Cntrl}]", "?");
  }

  private static ErrorCode errorCode(int status) {
    return switch (status) {
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.MALFORMED_REQUEST;
    };
  }
}
