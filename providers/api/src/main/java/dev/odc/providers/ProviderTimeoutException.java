package dev.odc.providers;

import java.time.Duration;

/** A wait (snapshot completion, a cloud operation) did not finish within its timeout. */
public class ProviderTimeoutException extends ProviderException {
  private static final long serialVersionUID = 1L;

  private final Duration timeout;

  public ProviderTimeoutException(String resourceId, String what, Duration timeout) {
    super(resourceId, what + " " + resourceId + " did not finish within " + timeout);
    this.timeout = timeout;
  }

  public Duration timeout() {
    return timeout;
  }
}
