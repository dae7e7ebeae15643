package dev.odc.api.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.odc.core.ErrorCode;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Request bodies Jackson cannot read. The message names the problem and the field, never echoes the
 * body (it may hold a secret).
 */
public class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {
  @Override
  public Response toResponse(JsonProcessingException e) {
    Map<String, Object> details = new LinkedHashMap<>();
    String message;
    if (e instanceof UnrecognizedPropertyException unknown) {
      message = "unknown field '" + unknown.getPropertyName() + "'";
      details.put("field", unknown.getPropertyName());
    } else if (e instanceof ValueInstantiationException invalid) {
      Throwable cause = invalid.getCause() != null ? invalid.getCause() : invalid;
      message = "invalid value: " + cause.getMessage();
    } else if (e instanceof InvalidFormatException format
        && String.valueOf(format.getOriginalMessage()).contains("control character")) {
      message = "field '" + path(format) + "' contains a control character (e.g. NUL); remove it";
      details.put("field", path(format));
    } else if (e instanceof InvalidFormatException format) {
      message = "field '" + path(format) + "' has the wrong type or format";
      details.put("field", path(format));
    } else if (e instanceof MismatchedInputException mismatched) {
      message =
          mismatched.getPath().isEmpty()
              ? "request body is missing or not the expected JSON object"
              : "field '" + path(mismatched) + "' has the wrong type";
      if (!mismatched.getPath().isEmpty()) {
        details.put("field", path(mismatched));
      }
    } else if (e instanceof JsonParseException) {
      message = "request body is not valid JSON";
    } else {
      message = "request body could not be read";
    }
    return ErrorResponses.of(ErrorCode.MALFORMED_REQUEST, message, details);
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(
            ref -> ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()))
        .collect(Collectors.joining("."));
  }
}
