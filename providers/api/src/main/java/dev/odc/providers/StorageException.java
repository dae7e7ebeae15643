package dev.odc.providers;

/**
 * A storage or cloud operation failed: the API refused it, a snapshot ended in error, or the
 * backend could not be reached.
 */
public class StorageException extends ProviderException {
  private static final long serialVersionUID = 1L;

  public StorageException(String resourceId, String message, Throwable cause) {
    super(resourceId, message, cause);
  }

  public StorageException(String resourceId, String message) {
    super(resourceId, message);
  }
}
