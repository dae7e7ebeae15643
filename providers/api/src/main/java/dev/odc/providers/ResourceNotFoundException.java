package dev.odc.providers;

/**
 * The operation needs an existing resource (a volume to attach, a snapshot to restore from, a claim
 * to resize) and there is none with that id. Lookups return an empty {@code Optional} instead;
 * deletes of missing resources succeed.
 */
public class ResourceNotFoundException extends ProviderException {
  private static final long serialVersionUID = 1L;

  public ResourceNotFoundException(String resourceId, String message, Throwable cause) {
    super(resourceId, message, cause);
  }

  public ResourceNotFoundException(String resourceId, String message) {
    super(resourceId, message);
  }
}
