package dev.odc.providers;

/**
 * The backend rejected the request as invalid (an unknown zone, a size the volume type does not
 * allow, a shrink). Retrying the same request will fail again. Malformed values are rejected
 * earlier, by the request records, with {@link IllegalArgumentException}.
 */
public class InvalidRequestException extends ProviderException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String resourceId, String message, Throwable cause) {
    super(resourceId, message, cause);
  }

  public InvalidRequestException(String resourceId, String message) {
    super(resourceId, message);
  }
}
