package dev.odc.api.auth;

import dev.odc.api.errors.ErrorResponses;
import dev.odc.core.ErrorCode;
import dev.odc.core.api.ErrorResponse;
import io.dropwizard.auth.UnauthorizedHandler;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * 401 in the one error shape. Jersey does not pass a filter's response with a body through the
 * exception mappers, so the auth filter builds this one itself.
 */
public class JsonUnauthorizedHandler implements UnauthorizedHandler {
  @Override
  public Response buildResponse(String prefix, String realm) {
    return ErrorResponses.builder(
            ErrorCode.UNAUTHENTICATED.httpStatus(),
            ErrorResponse.of(
                ErrorCode.UNAUTHENTICATED, "a valid bearer token or API key is required"))
        .header(HttpHeaders.WWW_AUTHENTICATE, prefix + " realm=\"" + realm + "\"")
        .build();
  }
}
