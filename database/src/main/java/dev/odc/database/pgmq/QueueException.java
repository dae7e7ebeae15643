package dev.odc.database.pgmq;

/** A queue message that cannot be written or read as JSON of the expected type. */
public final class QueueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QueueException(String message, Throwable cause) {
    super(message, cause);
  }
}
