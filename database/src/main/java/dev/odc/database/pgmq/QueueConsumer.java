package dev.odc.database.pgmq;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.lifecycle.Managed;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue: reads a batch, hands each message to the {@link Handler}, deletes it when the
 * handler returns, leaves it for redelivery when the handler throws, and after {@code
 * maxDeliveries} deliveries calls the {@link DeadLetterHandler} and archives the message.
 *
 * <p>Between batches it waits for the queue's {@link Pgmq#channel notification} on a dedicated
 * LISTEN connection, so a new message is picked up at once; it reads again at least every {@code
 * idleWait} to see messages whose visibility timeout ran out. Register it with Dropwizard ({@code
 * environment.lifecycle().manage(consumer)}) or call {@link #start()} and {@link #stop()}.
 *
 * <pre>{@code
 * QueueConsumer<ReservationMessage> consumer =
 *     QueueConsumer.builder(pgmq, dataSource, ReservationMessage.QUEUE, ReservationMessage.class)
 *         .handler(m -> processor.handle(m.message()))
 *         .deadLetter(d -> processor.markFailed(d))
 *         .visibilityTimeout(Duration.ofMinutes(2))
 *         .maxDeliveries(5)
 *         .build();
 * }</pre>
 *
 * <p>A message that is not valid JSON of the expected type counts as a failed delivery, so it
 * reaches the dead-letter handler (with a null {@link DeadLetter#message()}) instead of blocking
 * the queue. Handlers must be idempotent: delivery is at least once.
 */
public final class QueueConsumer<T> implements Managed {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

  /** Handles one message. Returning deletes it; throwing leaves it for redelivery. */
  @FunctionalInterface
  public interface Handler<T> {
    void handle(QueueMessage<T> message) throws Exception;
  }

  /**
   * Called once a message failed {@code maxDeliveries} times, before it is archived. If this
   * throws, the message is not archived and comes back (and to this handler) after the visibility
   * timeout, so this must be idempotent too.
   */
  @FunctionalInterface
  public interface DeadLetterHandler<T> {
    void onDeadLetter(DeadLetter<T> deadLetter) throws Exception;
  }

  /**
   * A message given up on.
   *
   * @param message the typed message, or null when it could not be read as one
   * @param lastError the last delivery's failure, or null when the deliveries ran out without one
   *     (a consumer died while handling it)
   */
  public record DeadLetter<T>(QueueMessage<JsonNode> raw, T message, Exception lastError) {}

  private final Pgmq pgmq;
  private final DataSource listenDataSource;
  private final String queue;
  private final Class<T> type;
  private final Handler<T> handler;
  private final DeadLetterHandler<T> deadLetter;
  private final Duration visibilityTimeout;
  private final int batchSize;
  private final int maxDeliveries;
  private final Duration idleWait;
  private final Duration retryDelay;
  private final int threads;

  private final Object wakeup = new Object();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private volatile boolean running;

  private QueueConsumer(Builder<T> b) {
    this.pgmq = b.pgmq;
    this.listenDataSource = b.listenDataSource;
    this.queue = b.queue;
    this.type = b.type;
    this.handler = Objects.requireNonNull(b.handler, "handler is required");
    this.deadLetter = b.deadLetter;
    this.visibilityTimeout = b.visibilityTimeout;
    this.batchSize = b.batchSize;
    this.maxDeliveries = b.maxDeliveries;
    this.idleWait = b.idleWait;
    this.retryDelay = b.retryDelay;
    this.threads = b.threads;
  }

  /**
   * @param listenDataSource where the LISTEN connection comes from (one per worker thread, held
   *     while running); null to poll every {@code idleWait} instead
   */
  public static <T> Builder<T> builder(
      Pgmq pgmq, DataSource listenDataSource, String queue, Class<T> type) {
    return new Builder<>(pgmq, listenDataSource, queue, type);
  }

  /** Starts the worker threads. */
  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::run, "queue-" + queue + "-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    log.info("Consuming queue {} with {} thread(s)", queue, threads);
  }

  /**
   * Stops reading, lets the messages in hand finish, and waits for the workers (up to the
   * visibility timeout). Messages read but not yet handled are made visible again.
   */
  @Override
  public synchronized void stop() throws InterruptedException {
    if (!running) {
      return;
    }
    running = false;
    synchronized (wakeup) {
      wakeup.notifyAll();
    }
    if (listenDataSource != null) {
      try {
        // workers blocked in getNotifications return at once instead of after idleWait
        pgmq.notifyConsumers(queue);
      } catch (RuntimeException e) {
        log.debug("Could not notify the workers of queue {}; they stop within idleWait", queue, e);
      }
    }
    long deadline = System.nanoTime() + visibilityTimeout.toNanos();
    for (Thread t : workers) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      t.join(left);
      if (t.isAlive()) {
        log.warn("Worker {} of queue {} did not stop in time", t.getName(), queue);
      }
    }
    workers.clear();
    log.info("Stopped consuming queue {}", queue);
  }

  public boolean isRunning() {
    return running;
  }

  /** Messages handled successfully (and deleted) since start. */
  public long handledCount() {
    return handled.get();
  }

  /** Failed deliveries since start (each one is retried or dead-lettered). */
  public long failedCount() {
    return failed.get();
  }

  /** Messages given to the dead-letter handler and archived since start. */
  public long deadLetteredCount() {
    return deadLettered.get();
  }

  /**
   * Reads and processes one batch on the calling thread.
   *
   * @return how many messages were read
   */
  public int pollOnce() {
    List<QueueMessage<JsonNode>> batch = pgmq.readJson(queue, visibilityTimeout, batchSize);
    for (int i = 0; i < batch.size(); i++) {
      if (!running && !workers.isEmpty()) {
        // stopping: hand the rest back at once rather than after the visibility timeout
        for (QueueMessage<JsonNode> rest : batch.subList(i, batch.size())) {
          pgmq.setVt(queue, rest.msgId(), Duration.ZERO);
        }
        break;
      }
      process(batch.get(i));
    }
    return batch.size();
  }

  private void process(QueueMessage<JsonNode> raw) {
    QueueMessage<T> typed;
    try {
      typed = pgmq.convert(raw, type);
    } catch (QueueException e) {
      failure(raw, null, e);
      return;
    }
    if (raw.readCount() > maxDeliveries) {
      // delivered more often than allowed without a recorded failure: a consumer died on it
      giveUp(raw, typed.message(), null);
      return;
    }
    try {
      handler.handle(typed);
    } catch (Exception e) {
      failure(raw, typed.message(), e);
      return;
    }
    pgmq.delete(queue, raw.msgId());
    handled.incrementAndGet();
  }

  private void failure(QueueMessage<JsonNode> raw, T message, Exception error) {
    failed.incrementAndGet();
    if (raw.readCount() >= maxDeliveries) {
      giveUp(raw, message, error);
      return;
    }
    log.warn(
        "Message {} of queue {} failed on delivery {} of {}; it will be retried",
        raw.msgId(),
        queue,
        raw.readCount(),
        maxDeliveries,
        error);
    if (retryDelay != null) {
      pgmq.setVt(queue, raw.msgId(), retryDelay);
    }
  }

  private void giveUp(QueueMessage<JsonNode> raw, T message, Exception error) {
    log.error(
        "Message {} of queue {} failed {} deliveries; archiving it as a dead letter",
        raw.msgId(),
        queue,
        raw.readCount(),
        error);
    if (deadLetter != null) {
      try {
        deadLetter.onDeadLetter(new DeadLetter<>(raw, message, error));
      } catch (Exception e) {
        log.error(
            "Dead-letter handling of message {} of queue {} failed; it will come back",
            raw.msgId(),
            queue,
            e);
        return;
      }
    }
    pgmq.archive(queue, raw.msgId());
    deadLettered.incrementAndGet();
  }

  private void run() {
    Listener listener = new Listener();
    try {
      while (running) {
        try {
          if (pollOnce() == 0 && running) {
            listener.await();
          }
        } catch (RuntimeException e) {
          log.error("Reading queue {} failed; retrying", queue, e);
          listener.close();
          pause(idleWait);
        }
      }
    } finally {
      listener.close();
    }
  }

  private void pause(Duration d) {
    synchronized (wakeup) {
      if (running) {
        try {
          wakeup.wait(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          running = false;
        }
      }
    }
  }

  /** The LISTEN connection of one worker, reopened after a failure. */
  private final class Listener {
    private Connection connection;
    private PGConnection pg;

    void await() {
      if (listenDataSource == null) {
        pause(idleWait);
        return;
      }
      try {
        if (pg == null) {
          connection = listenDataSource.getConnection();
          connection.setAutoCommit(true);
          pg = connection.unwrap(PGConnection.class);
          try (Statement st = connection.createStatement()) {
            st.execute("LISTEN " + Pgmq.channel(queue));
          }
          // a message sent before LISTEN took effect raised no notification for us: read again
          return;
        }
        // returns as soon as a notification arrives (any send, or stop()), else after idleWait
        pg.getNotifications((int) Math.max(1, Math.min(idleWait.toMillis(), Integer.MAX_VALUE)));
      } catch (SQLException e) {
        log.warn("LISTEN on queue {} failed; polling until it works again", queue, e);
        close();
        pause(idleWait);
      }
    }

    void close() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          log.debug("Closing the LISTEN connection of queue {} failed", queue, e);
        }
      }
      connection = null;
      pg = null;
    }
  }

  /** Settings of a {@link QueueConsumer}; defaults in parentheses. */
  public static final class Builder<T> {
    private final Pgmq pgmq;
    private final DataSource listenDataSource;
    private final String queue;
    private final Class<T> type;
    private Handler<T> handler;
    private DeadLetterHandler<T> deadLetter;
    private Duration visibilityTimeout = Duration.ofSeconds(60);
    private int batchSize = 10;
    private int maxDeliveries = 5;
    private Duration idleWait = Duration.ofSeconds(1);
    private Duration retryDelay;
    private int threads = 1;

    private Builder(Pgmq pgmq, DataSource listenDataSource, String queue, Class<T> type) {
      this.pgmq = Objects.requireNonNull(pgmq, "pgmq");
      this.listenDataSource = listenDataSource;
      this.queue = Pgmq.checkQueue(queue);
      this.type = Objects.requireNonNull(type, "type");
    }

    public Builder<T> handler(Handler<T> value) {
      this.handler = Objects.requireNonNull(value, "handler");
      return this;
    }

    /** What to do with a message that keeps failing (nothing but the archive when unset). */
    public Builder<T> deadLetter(DeadLetterHandler<T> value) {
      this.deadLetter = value;
      return this;
    }

    /**
     * How long a read message stays hidden (60 s): longer than handling a whole batch takes, or
     * another consumer gets it too. Whole seconds, at least 1.
     */
    public Builder<T> visibilityTimeout(Duration value) {
      if (Pgmq.seconds(value, "visibilityTimeout") < 1) {
        throw new IllegalArgumentException("visibilityTimeout must be at least 1 second");
      }
      this.visibilityTimeout = value;
      return this;
    }

    /** Messages per read (10). */
    public Builder<T> batchSize(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, was " + value);
      }
      this.batchSize = value;
      return this;
    }

    /** Deliveries before a failing message is dead-lettered (5). */
    public Builder<T> maxDeliveries(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxDeliveries must be at least 1, was " + value);
      }
      this.maxDeliveries = value;
      return this;
    }

    /** The longest wait between reads when no notification comes (1 s). */
    public Builder<T> idleWait(Duration value) {
      if (value == null || value.toMillis() < 1) {
        throw new IllegalArgumentException("idleWait must be at least 1 ms, was " + value);
      }
      this.idleWait = value;
      return this;
    }

    /**
     * After a failure, retry after this delay instead of after the visibility timeout (unset: the
     * visibility timeout). Whole seconds.
     */
    public Builder<T> retryDelay(Duration value) {
      Pgmq.seconds(value, "retryDelay");
      this.retryDelay = value;
      return this;
    }

    /** Worker threads, each with its own LISTEN connection (1). */
    public Builder<T> threads(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + value);
      }
      this.threads = value;
      return this;
    }

    public QueueConsumer<T> build() {
      return new QueueConsumer<>(this);
    }
  }
}
