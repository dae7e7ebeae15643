package dev.odc.api.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Domain failures: their code decides the status. */
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
  @Override
  public Response toResponse(ApiException e) {
    return ErrorResponses.of(e.code(), e.getMessage(), e.details());
  }
}
