package dev.odc.providers;

import java.util.Optional;

/**
 * Base of every exception the provider SPI throws. SDK and Kubernetes client exceptions are caught
 * at the backend boundary and rethrown as one of the subclasses, with the id of the resource
 * involved and the original cause.
 */
public class ProviderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String resourceId;

  public ProviderException(String resourceId, String message, Throwable cause) {
    super(message, cause);
    this.resourceId = resourceId;
  }

  public ProviderException(String resourceId, String message) {
    this(resourceId, message, null);
  }

  /** The volume, snapshot, claim or object the failed operation was about, when there was one. */
  public Optional<String> resourceId() {
    return Optional.ofNullable(resourceId);
  }
}
