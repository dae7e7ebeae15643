package dev.odc.database.pgmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.database.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue contract: what every PGMQ implementation (the extension or ODC's own) must do, checked
 * through the Java client. Each test works on a queue of its own.
 */
class PgmqContractIT {
  private static final Logger log = LoggerFactory.getLogger(PgmqContractIT.class);

  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  record Job(String name, int n) {}

  private Pgmq pgmq;
  private String queue;

  @BeforeEach
  void createQueue(TestInfo info) {
    pgmq = new Pgmq(db.jdbi());
    String method = info.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
    queue = "t_" + method.substring(0, Math.min(40, method.length()));
    pgmq.create(queue);
    pgmq.purge(queue);
  }

  @Test
  void readDeliversTheMessageAndHidesItForTheVisibilityTimeout() {
    long id = pgmq.send(queue, new Job("a", 1));

    List<QueueMessage<Job>> first = pgmq.read(queue, Duration.ofSeconds(1), 10, Job.class);
    assertThat(first)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.msgId()).isEqualTo(id);
              assertThat(m.readCount()).isEqualTo(1);
              assertThat(m.message()).isEqualTo(new Job("a", 1));
              assertThat(m.vt()).isAfter(m.enqueuedAt());
            });
    assertThat(pgmq.read(queue, Duration.ofSeconds(1), 10, Job.class)).isEmpty();

    // not deleted: it comes back once the timeout runs out, with the delivery counted
    List<QueueMessage<Job>> again = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> again.addAll(pgmq.read(queue, Duration.ofSeconds(30), 10, Job.class)));
    assertThat(again)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.msgId()).isEqualTo(id);
              assertThat(m.readCount()).isEqualTo(2);
            });
  }

  @Test
  void readReturnsTheOldestFirstAndAtMostQty() {
    List<Long> ids =
        pgmq.sendBatch(
            queue, List.of(new Job("a", 1), new Job("b", 2), new Job("c", 3)), Duration.ZERO);
    assertThat(ids).hasSize(3).isSorted();

    List<QueueMessage<Job>> two = pgmq.read(queue, Duration.ofSeconds(30), 2, Job.class);
    assertThat(two)
        .extracting(QueueMessage::msgId)
        .containsExactlyInAnyOrder(ids.get(0), ids.get(1));
    assertThat(pgmq.read(queue, Duration.ofSeconds(30), 2, Job.class))
        .extracting(QueueMessage::message)
        .containsExactly(new Job("c", 3));
  }

  @Test
  void deleteRemovesForGood() {
    long a = pgmq.send(queue, new Job("a", 1));
    long b = pgmq.send(queue, new Job("b", 2));
    long c = pgmq.send(queue, new Job("c", 3));

    assertThat(pgmq.delete(queue, a)).isTrue();
    assertThat(pgmq.delete(queue, a)).isFalse();
    assertThat(pgmq.delete(queue, List.of(b, c, 999_999L))).containsExactlyInAnyOrder(b, c);
    assertThat(pgmq.metrics(queue).queueLength()).isZero();
    assertThat(pgmq.setVt(queue, a, Duration.ZERO)).isFalse();
  }

  @Test
  void noMessageIsDeliveredTwiceToEightConcurrentConsumers() throws Exception {
    int messages = 400;
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      jobs.add(new Job("job", i));
    }
    pgmq.sendBatch(queue, jobs, Duration.ZERO);

    Set<Long> delivered = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger emptyReadsAfterDrain = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long began = System.nanoTime();
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int mine = 0;
                  while (delivered.size() < messages) {
                    List<QueueMessage<Job>> batch =
                        pgmq.read(queue, Duration.ofSeconds(60), 5, Job.class);
                    if (batch.isEmpty()) {
                      emptyReadsAfterDrain.incrementAndGet();
                      continue;
                    }
                    for (QueueMessage<Job> m : batch) {
                      if (!delivered.add(m.msgId()) || m.readCount() != 1) {
                        duplicates.incrementAndGet();
                      }
                      mine++;
                    }
                    pgmq.delete(queue, batch.stream().map(QueueMessage::msgId).toList());
                  }
                  return mine;
                }));
      }
      start.countDown();
      int total = 0;
      List<Integer> perConsumer = new ArrayList<>();
      for (Future<Integer> f : results) {
        int n = f.get(60, TimeUnit.SECONDS);
        perConsumer.add(n);
        total += n;
      }
      log.info(
          "8 consumers took {} messages in {} ms, per consumer {}",
          messages,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
          perConsumer);
      assertThat(duplicates).hasValue(0);
      assertThat(total).isEqualTo(messages);
      assertThat(delivered).hasSize(messages);
      // every consumer got work: SKIP LOCKED spreads it rather than serializing on one
      assertThat(perConsumer).allSatisfy(n -> assertThat(n).isPositive());
    } finally {
      pool.shutdownNow();
    }
    assertThat(pgmq.metrics(queue).queueLength()).isZero();
  }

  @Test
  void archiveMovesTheMessageToTheArchiveTable() {
    long a = pgmq.send(queue, new Job("a", 1));
    long b = pgmq.send(queue, new Job("b", 2));
    long c = pgmq.send(queue, new Job("c", 3));

    assertThat(pgmq.archive(queue, a)).isTrue();
    assertThat(pgmq.archive(queue, a)).isFalse();
    assertThat(pgmq.archive(queue, List.of(b, c))).containsExactlyInAnyOrder(b, c);

    assertThat(pgmq.metrics(queue).queueLength()).isZero();
    assertThat(pgmq.read(queue, Duration.ofSeconds(1), 10, Job.class)).isEmpty();
    List<Long> archived =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select msg_id from pgmq.a_"
                                + queue
                                + " where archived_at is not null order by msg_id")
                        .mapTo(Long.class)
                        .list());
    assertThat(archived).containsExactly(a, b, c);
  }

  @Test
  void popReturnsAndDeletesTheOldestVisibleMessage() {
    long a = pgmq.send(queue, new Job("a", 1));
    pgmq.send(queue, new Job("b", 2));

    Optional<QueueMessage<Job>> popped = pgmq.pop(queue, Job.class);
    assertThat(popped).get().extracting(QueueMessage::msgId).isEqualTo(a);
    assertThat(pgmq.metrics(queue).queueLength()).isEqualTo(1);
    assertThat(pgmq.pop(queue, Job.class))
        .get()
        .extracting(QueueMessage::message)
        .isEqualTo(new Job("b", 2));
    assertThat(pgmq.pop(queue, Job.class)).isEmpty();
  }

  @Test
  void setVtMakesAHiddenMessageVisibleOrHidesAVisibleOne() {
    long id = pgmq.send(queue, new Job("a", 1));
    assertThat(pgmq.read(queue, Duration.ofSeconds(60), 1, Job.class)).hasSize(1);
    assertThat(pgmq.read(queue, Duration.ofSeconds(60), 1, Job.class)).isEmpty();

    assertThat(pgmq.setVt(queue, id, Duration.ZERO)).isTrue();
    assertThat(pgmq.read(queue, Duration.ofSeconds(60), 1, Job.class))
        .singleElement()
        .extracting(QueueMessage::readCount)
        .isEqualTo(2);

    assertThat(pgmq.setVt(queue, id, Duration.ZERO)).isTrue();
    assertThat(pgmq.setVt(queue, id, Duration.ofSeconds(60))).isTrue();
    assertThat(pgmq.read(queue, Duration.ofSeconds(60), 1, Job.class)).isEmpty();
  }

  @Test
  void aDelayedMessageStaysInvisibleUntilItsDelayPasses() {
    Instant sent = Instant.now();
    pgmq.send(queue, new Job("later", 1), Duration.ofSeconds(2));
    assertThat(pgmq.read(queue, Duration.ofSeconds(30), 1, Job.class)).isEmpty();
    assertThat(pgmq.metrics(queue).queueLength()).isEqualTo(1);

    List<QueueMessage<Job>> got = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(6))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> got.addAll(pgmq.read(queue, Duration.ofSeconds(30), 1, Job.class)));
    assertThat(Duration.between(sent, Instant.now()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(got)
        .singleElement()
        .extracting(QueueMessage::message)
        .isEqualTo(new Job("later", 1));
  }

  @Test
  void metricsCountTheQueueAndEverythingEverSent() {
    QueueMetrics empty = pgmq.metrics(queue);
    assertThat(empty.queueName()).isEqualTo(queue);
    assertThat(empty.queueLength()).isZero();
    assertThat(empty.newestMessageAgeSeconds()).isNull();
    assertThat(empty.oldestMessageAgeSeconds()).isNull();

    long a = pgmq.send(queue, new Job("a", 1));
    pgmq.send(queue, new Job("b", 2));
    pgmq.send(queue, new Job("c", 3));
    pgmq.delete(queue, a);

    QueueMetrics m = pgmq.metrics(queue);
    assertThat(m.queueLength()).isEqualTo(2);
    assertThat(m.totalMessages()).isEqualTo(3);
    assertThat(m.oldestMessageAgeSeconds()).isNotNull().isGreaterThanOrEqualTo(0);
    assertThat(m.newestMessageAgeSeconds())
        .isNotNull()
        .isLessThanOrEqualTo(m.oldestMessageAgeSeconds());
    assertThat(m.scrapeTime())
        .isCloseTo(
            Instant.now(),
            org.assertj.core.api.Assertions.within(5, java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void purgeEmptiesTheQueue() {
    pgmq.sendBatch(
        queue, List.of(new Job("a", 1), new Job("b", 2), new Job("c", 3)), Duration.ZERO);
    pgmq.read(queue, Duration.ofSeconds(60), 1, Job.class);

    assertThat(pgmq.purge(queue)).isEqualTo(3);
    assertThat(pgmq.metrics(queue).queueLength()).isZero();
    assertThat(pgmq.purge(queue)).isZero();
  }

  @Test
  void readWithPollWaitsForAMessageSentMeanwhile() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Instant began = Instant.now();
      Future<List<QueueMessage<Job>>> reading =
          pool.submit(
              () ->
                  pgmq.readWithPoll(
                      queue,
                      Duration.ofSeconds(30),
                      5,
                      Duration.ofSeconds(10),
                      Duration.ofMillis(50),
                      Job.class));
      await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
      pgmq.send(queue, new Job("late", 1));
      List<QueueMessage<Job>> got = reading.get(10, TimeUnit.SECONDS);
      assertThat(got)
          .singleElement()
          .extracting(QueueMessage::message)
          .isEqualTo(new Job("late", 1));
      assertThat(Duration.between(began, Instant.now())).isLessThan(Duration.ofSeconds(5));
    } finally {
      pool.shutdownNow();
    }

    Instant began = Instant.now();
    assertThat(
            pgmq.readWithPoll(
                queue,
                Duration.ofSeconds(30),
                5,
                Duration.ofSeconds(1),
                Duration.ofMillis(100),
                Job.class))
        .isEmpty();
    assertThat(Duration.between(began, Instant.now()))
        .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
  }

  @Test
  void aSendInARolledBackTransactionIsNeverDelivered() {
    assertThatThrownBy(
            () ->
                db.jdbi()
                    .useTransaction(
                        h -> {
                          pgmq.send(h, queue, new Job("ghost", 1));
                          throw new IllegalStateException("roll back");
                        }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(pgmq.read(queue, Duration.ofSeconds(1), 10, Job.class)).isEmpty();

    db.jdbi().useTransaction(h -> pgmq.send(h, queue, new Job("real", 1)));
    assertThat(pgmq.read(queue, Duration.ofSeconds(1), 10, Job.class)).hasSize(1);
  }

  @Test
  void sendNotifiesTheQueueChannel() throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("LISTEN " + Pgmq.channel(queue));
      PGConnection pg = c.unwrap(PGConnection.class);
      assertThat(pg.getNotifications(50)).isEmpty();

      pgmq.send(queue, new Job("a", 1));

      PGNotification[] got = pg.getNotifications(5_000);
      assertThat(got).isNotEmpty();
      assertThat(got[0].getName()).isEqualTo("pgmq_" + queue);
    }
  }

  @Test
  void badInputIsRejectedWithAClearError() {
    assertThatThrownBy(() -> pgmq.send("Bad-Name", new Job("a", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid queue name");
    assertThatThrownBy(() -> pgmq.send("no_such_queue", new Job("a", 1)))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("queue no_such_queue does not exist");
    assertThatThrownBy(() -> pgmq.read(queue, Duration.ofSeconds(1), 0, Job.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("qty");
    assertThatThrownBy(() -> pgmq.send(queue, new Job("a", 1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay");

    // a message that is not a Job fails on read with the message id, and stays in the queue
    long id = pgmq.send(queue, List.of(1, 2, 3));
    assertThatThrownBy(() -> pgmq.read(queue, Duration.ofSeconds(1), 1, Job.class))
        .isInstanceOf(QueueException.class)
        .hasMessageContaining("message " + id);
    assertThat(pgmq.metrics(queue).queueLength()).isEqualTo(1);
  }

  @Test
  void messagesKeepTheirJsonShape() {
    pgmq.send(
        queue,
        java.util.Map.of("reservationId", "r-1", "nested", java.util.Map.of("k", List.of(1, 2))));
    QueueMessage<JsonNode> m = pgmq.readJson(queue, Duration.ofSeconds(5), 1).getFirst();
    assertThat(m.message().get("reservationId").asText()).isEqualTo("r-1");
    assertThat(m.message().at("/nested/k/1").asInt()).isEqualTo(2);
  }

  @Test
  void createIsIdempotent() {
    pgmq.create(queue);
    long id = pgmq.send(queue, new Job("a", 1));
    pgmq.create(queue);
    assertThat(pgmq.read(queue, Duration.ofSeconds(1), 1, Job.class))
        .extracting(QueueMessage::msgId)
        .containsExactly(id);
  }
}
