package dev.odc.database.pgmq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * A client of PGMQ's SQL API ({@code pgmq.send}, {@code read}, {@code set_vt}, {@code delete},
 * {@code archive}, ...). It works the same against the real pgmq extension and against ODC's own
 * implementation that the migrations install where the extension is missing.
 *
 * <p>Messages are JSON (Jackson, configured by {@link Json}). Delivery is at least once: a message
 * that is read and not deleted comes back after its visibility timeout, so handlers must be
 * idempotent. For a consuming loop use {@link QueueConsumer}.
 *
 * <p>Every send also notifies the channel {@link #channel(String) pgmq_<queue>} when its
 * transaction commits, so consumers that {@code LISTEN} on it wake up at once. Visibility timeouts
 * and delays are whole seconds, as in PGMQ; fractions are rounded up.
 *
 * <p>The {@code send(Handle, ...)} overloads join the caller's transaction: the message becomes
 * visible only if that transaction commits.
 */
public final class Pgmq {
  /** Prefix of the notification channel of a queue: {@code pgmq_<queue name>}. */
  public static final String CHANNEL_PREFIX = "pgmq_";

  private static final Pattern QUEUE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,46}");
  private static final String RECORD_COLUMNS = "msg_id, read_ct, enqueued_at, vt, message";

  private final Jdbi jdbi;
  private final ObjectMapper mapper;

  public Pgmq(Jdbi jdbi) {
    this(jdbi, Json.newMapper());
  }

  public Pgmq(Jdbi jdbi, ObjectMapper mapper) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** The channel that {@code send} notifies for {@code queue}, for {@code LISTEN}. */
  public static String channel(String queue) {
    return CHANNEL_PREFIX + checkQueue(queue);
  }

  /** Creates a queue (and its archive table) if it does not exist. */
  public void create(String queue) {
    checkQueue(queue);
    jdbi.useHandle(
        h -> h.createQuery("select pgmq.create(:q)").bind("q", queue).map((rs, ctx) -> true).one());
  }

  /** Sends a message, visible at once. @return its msg_id */
  public long send(String queue, Object message) {
    return send(queue, message, Duration.ZERO);
  }

  /** Sends a message that becomes visible after {@code delay}. @return its msg_id */
  public long send(String queue, Object message, Duration delay) {
    return jdbi.inTransaction(h -> send(h, queue, message, delay));
  }

  /** Sends within the caller's transaction. @return its msg_id */
  public long send(Handle handle, String queue, Object message) {
    return send(handle, queue, message, Duration.ZERO);
  }

  /** Sends within the caller's transaction, visible after {@code delay}. @return its msg_id */
  public long send(Handle handle, String queue, Object message, Duration delay) {
    checkQueue(queue);
    long id =
        handle
            .createQuery("select * from pgmq.send(:q, cast(:msg as jsonb), :delay)")
            .bind("q", queue)
            .bind("msg", toJson(message))
            .bind("delay", seconds(delay, "delay"))
            .mapTo(Long.class)
            .one();
    notify(handle, queue);
    return id;
  }

  /** Sends several messages in one statement. @return their msg_ids, in order */
  public List<Long> sendBatch(String queue, List<?> messages, Duration delay) {
    checkQueue(queue);
    String[] json = messages.stream().map(this::toJson).toArray(String[]::new);
    return jdbi.inTransaction(
        h -> {
          List<Long> ids =
              h.createQuery("select * from pgmq.send_batch(:q, cast(:msgs as jsonb[]), :delay)")
                  .bind("q", queue)
                  .bind("msgs", json)
                  .bind("delay", seconds(delay, "delay"))
                  .mapTo(Long.class)
                  .list();
          notify(h, queue);
          return ids;
        });
  }

  /**
   * Reads up to {@code qty} visible messages, oldest first, and hides them for {@code vt}.
   * Concurrent readers never get the same message. Each delivery increments the read count.
   *
   * @throws QueueException when a message is not JSON of {@code type}; use {@link #readJson} to
   *     handle such messages one by one
   */
  public <T> List<QueueMessage<T>> read(String queue, Duration vt, int qty, Class<T> type) {
    return convertAll(readJson(queue, vt, qty), type);
  }

  /** Like {@link #read}, with the messages as JSON trees. */
  public List<QueueMessage<JsonNode>> readJson(String queue, Duration vt, int qty) {
    checkQueue(queue);
    checkQty(qty);
    return jdbi.withHandle(
        h ->
            h.createQuery("select " + RECORD_COLUMNS + " from pgmq.read(:q, :vt, :qty)")
                .bind("q", queue)
                .bind("vt", seconds(vt, "vt"))
                .bind("qty", qty)
                .map(this::mapRecord)
                .list());
  }

  /**
   * Like {@link #read}, but when nothing is visible waits up to {@code maxPoll} (whole seconds),
   * checking every {@code pollInterval}, inside the database. Holds a connection while it waits.
   */
  public <T> List<QueueMessage<T>> readWithPoll(
      String queue, Duration vt, int qty, Duration maxPoll, Duration pollInterval, Class<T> type) {
    checkQueue(queue);
    checkQty(qty);
    int maxPollSeconds = seconds(maxPoll, "maxPoll");
    long intervalMillis = Objects.requireNonNull(pollInterval, "pollInterval").toMillis();
    if (intervalMillis < 1) {
      throw new IllegalArgumentException("pollInterval must be at least 1 ms, was " + pollInterval);
    }
    List<QueueMessage<JsonNode>> raw =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "select "
                            + RECORD_COLUMNS
                            + " from pgmq.read_with_poll(:q, :vt, :qty, :maxPoll, :interval)")
                    .bind("q", queue)
                    .bind("vt", seconds(vt, "vt"))
                    .bind("qty", qty)
                    .bind("maxPoll", maxPollSeconds)
                    .bind("interval", (int) Math.min(intervalMillis, Integer.MAX_VALUE))
                    .map(this::mapRecord)
                    .list());
    return convertAll(raw, type);
  }

  /** Reads one message and deletes it at once (at-most-once delivery). */
  public <T> Optional<QueueMessage<T>> pop(String queue, Class<T> type) {
    checkQueue(queue);
    Optional<QueueMessage<JsonNode>> raw =
        jdbi.withHandle(
            h ->
                h.createQuery("select " + RECORD_COLUMNS + " from pgmq.pop(:q)")
                    .bind("q", queue)
                    .map(this::mapRecord)
                    .findFirst());
    return raw.map(m -> convert(m, type));
  }

  /**
   * Hides a message for {@code vt} from now ({@link Duration#ZERO}: visible at once), whether or
   * not it is hidden now.
   *
   * @return false when there is no such message
   */
  public boolean setVt(String queue, long msgId, Duration vt) {
    checkQueue(queue);
    return jdbi.withHandle(
        h ->
            h.createQuery("select msg_id from pgmq.set_vt(:q, :id, :vt)")
                .bind("q", queue)
                .bind("id", msgId)
                .bind("vt", seconds(vt, "vt"))
                .mapTo(Long.class)
                .findFirst()
                .isPresent());
  }

  /** Deletes a message. @return false when there is no such message */
  public boolean delete(String queue, long msgId) {
    return jdbi.withHandle(h -> delete(h, queue, msgId));
  }

  /** Deletes a message within the caller's transaction. @return false when there is none */
  public boolean delete(Handle handle, String queue, long msgId) {
    checkQueue(queue);
    return handle
        .createQuery("select pgmq.delete(:q, cast(:id as bigint))")
        .bind("q", queue)
        .bind("id", msgId)
        .mapTo(Boolean.class)
        .one();
  }

  /** Deletes messages. @return the ids that existed and were deleted */
  public List<Long> delete(String queue, List<Long> msgIds) {
    checkQueue(queue);
    return jdbi.withHandle(
        h ->
            h.createQuery("select * from pgmq.delete(:q, cast(:ids as bigint[]))")
                .bind("q", queue)
                .bind("ids", msgIds.toArray(Long[]::new))
                .mapTo(Long.class)
                .list());
  }

  /** Moves a message to the queue's archive table. @return false when there is no such message */
  public boolean archive(String queue, long msgId) {
    checkQueue(queue);
    return jdbi.withHandle(
        h ->
            h.createQuery("select pgmq.archive(:q, cast(:id as bigint))")
                .bind("q", queue)
                .bind("id", msgId)
                .mapTo(Boolean.class)
                .one());
  }

  /** Moves messages to the archive table. @return the ids that existed and were archived */
  public List<Long> archive(String queue, List<Long> msgIds) {
    checkQueue(queue);
    return jdbi.withHandle(
        h ->
            h.createQuery("select * from pgmq.archive(:q, cast(:ids as bigint[]))")
                .bind("q", queue)
                .bind("ids", msgIds.toArray(Long[]::new))
                .mapTo(Long.class)
                .list());
  }

  /** Deletes every message of the queue (the archive stays). @return how many were deleted */
  public long purge(String queue) {
    checkQueue(queue);
    return jdbi.withHandle(
        h -> h.createQuery("select pgmq.purge_queue(:q)").bind("q", queue).mapTo(Long.class).one());
  }

  public QueueMetrics metrics(String queue) {
    checkQueue(queue);
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "select queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec,"
                        + " total_messages, scrape_time from pgmq.metrics(:q)")
                .bind("q", queue)
                .map(
                    (rs, ctx) ->
                        new QueueMetrics(
                            rs.getString("queue_name"),
                            rs.getLong("queue_length"),
                            nullableInt(rs, "newest_msg_age_sec"),
                            nullableInt(rs, "oldest_msg_age_sec"),
                            rs.getLong("total_messages"),
                            instant(rs, "scrape_time")))
                .one());
  }

  /** Wakes every consumer listening on the queue's channel, e.g. to make them stop promptly. */
  public void notifyConsumers(String queue) {
    jdbi.useHandle(h -> notify(h, queue));
  }

  /** Reads the message with the given type. @throws QueueException when it does not map */
  public <T> QueueMessage<T> convert(QueueMessage<JsonNode> raw, Class<T> type) {
    try {
      T value =
          JsonNode.class.equals(type)
              ? type.cast(raw.message())
              : mapper.treeToValue(raw.message(), type);
      return new QueueMessage<>(raw.msgId(), raw.readCount(), raw.enqueuedAt(), raw.vt(), value);
    } catch (JsonProcessingException e) {
      throw new QueueException(
          "message "
              + raw.msgId()
              + " is not a valid "
              + type.getSimpleName()
              + ": "
              + e.getOriginalMessage(),
          e);
    } catch (IllegalArgumentException e) {
      // a record's compact constructor rejected a value
      throw new QueueException(
          "message "
              + raw.msgId()
              + " is not a valid "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private <T> List<QueueMessage<T>> convertAll(List<QueueMessage<JsonNode>> raw, Class<T> type) {
    List<QueueMessage<T>> out = new ArrayList<>(raw.size());
    for (QueueMessage<JsonNode> m : raw) {
      out.add(convert(m, type));
    }
    return out;
  }

  private QueueMessage<JsonNode> mapRecord(
      ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
    String text = rs.getString("message");
    JsonNode node;
    try {
      node = text == null ? mapper.nullNode() : mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SQLException("pgmq returned a message that is not JSON", e);
    }
    return new QueueMessage<>(
        rs.getLong("msg_id"),
        rs.getInt("read_ct"),
        instant(rs, "enqueued_at"),
        instant(rs, "vt"),
        node);
  }

  private String toJson(Object message) {
    Objects.requireNonNull(message, "message");
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new QueueException("message cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  // ODC's pgmq notifies by itself; the real extension does not, and a second identical
  // notification in one transaction is folded into the first by PostgreSQL.
  private static void notify(Handle handle, String queue) {
    handle
        .createQuery("select pg_notify(:channel, '')")
        .bind("channel", channel(queue))
        .map((rs, ctx) -> true)
        .one();
  }

  static String checkQueue(String queue) {
    if (queue == null || !QUEUE_NAME.matcher(queue).matches()) {
      throw new IllegalArgumentException(
          "invalid queue name '" + queue + "': use 1-47 lower-case letters, digits and _");
    }
    return queue;
  }

  private static void checkQty(int qty) {
    if (qty < 1) {
      throw new IllegalArgumentException("qty must be at least 1, was " + qty);
    }
  }

  /** Whole seconds, rounded up, as PGMQ takes them. */
  static int seconds(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + d);
    }
    long secs = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    if (secs > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " is too long: " + d);
    }
    return (int) secs;
  }

  private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** A row mapper for raw records, for callers that query pgmq functions themselves. */
  public RowMapper<QueueMessage<JsonNode>> recordMapper() {
    return this::mapRecord;
  }
}
