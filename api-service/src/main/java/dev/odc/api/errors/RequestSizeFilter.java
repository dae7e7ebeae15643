package dev.odc.api.errors;

import dev.odc.core.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses bodies above the configured size with 413 before anything parses them: by the declared
 * length when there is one, else by reading at most one byte more than allowed.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class RequestSizeFilter implements ContainerRequestFilter {
  private final long maxBytes;

  public RequestSizeFilter(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void filter(ContainerRequestContext request) throws IOException {
    if (request.getLength() > maxBytes) {
      request.abortWith(
          new ApiExceptionMapper().toResponse(new PayloadTooLargeException(maxBytes)));
      return;
    }
    byte[] body;
    try {
      // hasEntity reads ahead, so it fails like a read on a broken body
      if (!request.hasEntity()) {
        return;
      }
      InputStream in = request.getEntityStream();
      body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    } catch (IOException | ProcessingException e) {
      // the client's mistake, not ours: a broken chunked encoding, a body cut short
      request.abortWith(
          ErrorResponses.of(
              ErrorCode.MALFORMED_REQUEST,
              "request body could not be read: malformed chunked encoding or a body shorter than"
                  + " its Content-Length"));
      return;
    }
    if (body.length > maxBytes) {
      request.abortWith(
          new ApiExceptionMapper().toResponse(new PayloadTooLargeException(maxBytes)));
      return;
    }
    request.setEntityStream(new ByteArrayInputStream(body));
  }
}
