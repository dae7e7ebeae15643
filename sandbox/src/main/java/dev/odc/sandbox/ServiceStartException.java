package dev.odc.sandbox;

/** A part of the sandbox could not start; the message says which and why. */
final class ServiceStartException extends Exception {
  private static final long serialVersionUID = 1L;

  ServiceStartException(String message, Throwable cause) {
    super(message, cause);
  }

  ServiceStartException(String message) {
    super(message);
  }
}
