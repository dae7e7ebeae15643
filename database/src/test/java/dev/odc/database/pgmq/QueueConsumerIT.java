package dev.odc.database.pgmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odc.database.testing.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class QueueConsumerIT {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumerIT.class);

  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  record Job(String name) {}

  private Pgmq pgmq;
  private String queue;
  private QueueConsumer<Job> consumer;

  @BeforeEach
  void createQueue(TestInfo info) {
    pgmq = new Pgmq(db.jdbi());
    String method = info.getTestMethod().orElseThrow().getName().toLowerCase(java.util.Locale.ROOT);
    queue = "c_" + method.substring(0, Math.min(40, method.length()));
    pgmq.create(queue);
    pgmq.purge(queue);
  }

  @AfterEach
  void stopConsumer() throws InterruptedException {
    if (consumer != null) {
      consumer.stop();
    }
  }

  @Test
  void aHandledMessageIsDeleted() throws Exception {
    List<Job> seen = new CopyOnWriteArrayList<>();
    consumer =
        QueueConsumer.builder(pgmq, db.dataSource(), queue, Job.class)
            .handler(m -> seen.add(m.message()))
            .build();
    consumer.start();

    pgmq.send(queue, new Job("a"));
    pgmq.send(queue, new Job("b"));

    await().atMost(Duration.ofSeconds(5)).until(() -> consumer.handledCount() == 2);
    assertThat(seen).containsExactly(new Job("a"), new Job("b"));
    assertThat(pgmq.metrics(queue).queueLength()).isZero();
    assertThat(archived()).isZero();
  }

  @Test
  void aFailedMessageIsRedeliveredAfterItsVisibilityTimeout() {
    AtomicInteger attempts = new AtomicInteger();
    List<Integer> readCounts = new CopyOnWriteArrayList<>();
    consumer =
        QueueConsumer.builder(pgmq, db.dataSource(), queue, Job.class)
            .handler(
                m -> {
                  readCounts.add(m.readCount());
                  if (attempts.incrementAndGet() == 1) {
                    throw new IllegalStateException("transient failure");
                  }
                })
            .visibilityTimeout(Duration.ofSeconds(1))
            .idleWait(Duration.ofMillis(200))
            .maxDeliveries(3)
            .build();
    consumer.start();

    pgmq.send(queue, new Job("flaky"));

    await().atMost(Duration.ofSeconds(8)).until(() -> consumer.handledCount() == 1);
    assertThat(readCounts).containsExactly(1, 2);
    assertThat(consumer.failedCount()).isEqualTo(1);
    assertThat(consumer.deadLetteredCount()).isZero();
    assertThat(pgmq.metrics(queue).queueLength()).isZero();
  }

  @Test
  void aMessageThatKeepsFailingIsDeadLetteredAndArchivedAfterMaxDeliveries() {
    AtomicInteger attempts = new AtomicInteger();
    List<QueueConsumer.DeadLetter<Job>> dead = new CopyOnWriteArrayList<>();
    consumer =
        QueueConsumer.builder(pgmq, db.dataSource(), queue, Job.class)
            .handler(
                m -> {
                  attempts.incrementAndGet();
                  throw new IllegalStateException("always fails");
                })
            .deadLetter(dead::add)
            .maxDeliveries(3)
            .retryDelay(Duration.ZERO)
            .build();
    consumer.start();

    long id = pgmq.send(queue, new Job("doomed"));

    await().atMost(Duration.ofSeconds(5)).until(() -> dead.size() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> archived() == 1);
    assertThat(attempts).hasValue(3);
    QueueConsumer.DeadLetter<Job> d = dead.getFirst();
    assertThat(d.raw().msgId()).isEqualTo(id);
    assertThat(d.raw().readCount()).isEqualTo(3);
    assertThat(d.message()).isEqualTo(new Job("doomed"));
    assertThat(d.lastError()).hasMessage("always fails");
    assertThat(pgmq.metrics(queue).queueLength()).isZero();
    assertThat(consumer.deadLetteredCount()).isEqualTo(1);
  }

  @Test
  void aMessageOfTheWrongShapeGoesToTheDeadLetterHandlerWithoutBlockingOthers() {
    List<QueueConsumer.DeadLetter<Job>> dead = new CopyOnWriteArrayList<>();
    List<Job> seen = new CopyOnWriteArrayList<>();
    consumer =
        QueueConsumer.builder(pgmq, db.dataSource(), queue, Job.class)
            .handler(m -> seen.add(m.message()))
            .deadLetter(dead::add)
            .maxDeliveries(2)
            .retryDelay(Duration.ZERO)
            .build();
    consumer.start();

    pgmq.send(queue, List.of("not", "a", "job"));
    pgmq.send(queue, new Job("fine"));

    await().atMost(Duration.ofSeconds(5)).until(() -> dead.size() == 1 && seen.size() == 1);
    assertThat(dead.getFirst().message()).isNull();
    assertThat(dead.getFirst().lastError()).isInstanceOf(QueueException.class);
    assertThat(seen).containsExactly(new Job("fine"));
  }

  @Test
  void aFailingDeadLetterHandlerKeepsTheMessageForLater() {
    AtomicInteger deadLetterCalls = new AtomicInteger();
    consumer =
        QueueConsumer.builder(pgmq, db.dataSource(), queue, Job.class)
            .handler(
                m -> {
                  throw new IllegalStateException("always fails");
                })
            .deadLetter(
                d -> {
                  if (deadLetterCalls.incrementAndGet() == 1) {
                    throw new IllegalStateException("database briefly down");
                  }
                })
            .maxDeliveries(1)
            .visibilityTimeout(Duration.ofSeconds(1))
            .idleWait(Duration.ofMillis(200))
            .build();
    consumer.start();

    pgmq.send(queue, new Job("doomed"));

    await().atMost(Duration.ofSeconds(8)).until(() -> archived() == 1);
    assertThat(deadLetterCalls).hasValue(2);
  }

  @Test
  void aNewMessageWakesAnIdleConsumerAtOnce() {
    Map<String, Long> handledAt = new ConcurrentHashMap<>();
    consumer =
        QueueConsumer.builder(pgmq, db.dataSource(), queue, Job.class)
            .handler(m -> handledAt.put(m.message().name(), System.nanoTime()))
            // without the notification the consumer would not read again for a minute
            .idleWait(Duration.ofSeconds(60))
            .build();
    consumer.start();
    // let the worker reach its LISTEN wait
    await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);

    long latencies = 0;
    long worst = 0;
    int rounds = 5;
    for (int i = 0; i < rounds; i++) {
      String name = "job" + i;
      long sent = System.nanoTime();
      pgmq.send(queue, new Job(name));
      await().atMost(Duration.ofSeconds(3)).until(() -> handledAt.containsKey(name));
      long latency = handledAt.get(name) - sent;
      latencies += latency;
      worst = Math.max(worst, latency);
    }
    log.info(
        "send-to-handle latency of an idle consumer: mean {} ms, worst {} ms",
        latencies / rounds / 1_000_000,
        worst / 1_000_000);
    assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void stopReturnsPromptlyAndLeavesUnreadMessagesInTheQueue() throws Exception {
    consumer =
        QueueConsumer.builder(pgmq, db.dataSource(), queue, Job.class)
            .handler(m -> {})
            .idleWait(Duration.ofSeconds(60))
            .threads(2)
            .build();
    consumer.start();
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);

    long began = System.nanoTime();
    consumer.stop();
    long stopMillis = (System.nanoTime() - began) / 1_000_000;
    log.info("stop took {} ms", stopMillis);
    assertThat(stopMillis).isLessThan(5_000);
    assertThat(consumer.isRunning()).isFalse();

    pgmq.send(queue, new Job("after stop"));
    AtomicLong length = new AtomicLong();
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(
            () -> {
              length.set(pgmq.metrics(queue).queueLength());
              return length.get() == 1;
            });
    assertThat(consumer.handledCount()).isZero();
  }

  private long archived() {
    return db.jdbi()
        .withHandle(
            h -> h.createQuery("select count(*) from pgmq.a_" + queue).mapTo(Long.class).one());
  }
}
