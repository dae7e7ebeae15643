package dev.odc.api.health;

import com.codahale.metrics.health.HealthCheck;
import dev.odc.core.queue.DiskOperationMessage;
import dev.odc.core.queue.ReservationMessage;
import org.jdbi.v3.core.Jdbi;

/** The PGMQ queues the API writes to exist and answer {@code pgmq.metrics}. */
public class QueueHealthCheck extends HealthCheck {
  private final Jdbi jdbi;

  public QueueHealthCheck(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  protected Result check() {
    StringBuilder message = new StringBuilder();
    for (String queue : new String[] {ReservationMessage.QUEUE, DiskOperationMessage.QUEUE}) {
      long length =
          jdbi.withHandle(
              h ->
                  h.createQuery("select queue_length from pgmq.metrics(:queue)")
                      .bind("queue", queue)
                      .mapTo(Long.class)
                      .one());
      message.append(queue).append('=').append(length).append(' ');
    }
    return Result.healthy(message.toString().trim());
  }
}
