package dev.odc.processor.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.database.QueueEntry;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StartEstimateTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void enoughFreeForEveryoneAheadMeansNowWithoutReadingTheActiveOnes() {
    QueueEntry ahead = waiting(2);
    QueueEntry me = waiting(2);
    AtomicInteger reads = new AtomicInteger();

    assertThat(
            StartEstimate.of(
                me.id(),
                List.of(ahead, me),
                4,
                () -> {
                  reads.incrementAndGet();
                  return List.of();
                },
                NOW))
        .contains(NOW);
    assertThat(reads).hasValue(0);
  }

  @Test
  void theExpiryThatFreesEnoughForMeAndThoseAheadIsTheEstimate() {
    QueueEntry ahead = waiting(4);
    QueueEntry me = waiting(4);
    Reservation soon = active(2, NOW.plusSeconds(600));
    Reservation later = active(4, NOW.plusSeconds(3600));
    Reservation latest = active(8, NOW.plusSeconds(7200));

    // needs 8: 2 free now, +2 at the first expiry, +4 at the second
    assertThat(
            StartEstimate.of(
                me.id(), List.of(ahead, me), 2, () -> List.of(soon, later, latest), NOW))
        .contains(NOW.plusSeconds(3600));
  }

  @Test
  void thoseBehindDoNotCount() {
    QueueEntry me = waiting(2);
    QueueEntry behind = waiting(8);

    assertThat(StartEstimate.of(me.id(), List.of(me, behind), 2, List::of, NOW)).contains(NOW);
  }

  @Test
  void activeReservationsWithoutAnEndAreSkippedAndNoneFreeingEnoughMeansUnknown() {
    QueueEntry me = waiting(8);
    Reservation endless = active(8, null);
    Reservation small = active(2, NOW.plusSeconds(60));

    assertThat(StartEstimate.of(me.id(), List.of(me), 0, () -> List.of(endless, small), NOW))
        .isEmpty();
  }

  @Test
  void multiNodeReservationsNeedAllTheirNodesGpus() {
    QueueEntry me =
        new QueueEntry(
            UUID.randomUUID(), UUID.randomUUID(), ReservationStatus.QUEUED, 8, 2, NOW, 0);
    Reservation one = active(8, NOW.plusSeconds(60));
    Reservation two = active(8, NOW.plusSeconds(120));

    assertThat(StartEstimate.of(me.id(), List.of(me), 0, () -> List.of(one, two), NOW))
        .contains(NOW.plusSeconds(120));
  }

  private static QueueEntry waiting(int gpus) {
    return new QueueEntry(
        UUID.randomUUID(), UUID.randomUUID(), ReservationStatus.QUEUED, gpus, 1, NOW, 0);
  }

  private static Reservation active(int gpus, Instant expiresAt) {
    return new Reservation(
        UUID.randomUUID(),
        UUID.randomUUID(),
        "someone",
        "dev",
        "h100",
        gpus,
        1,
        null,
        2.0,
        null,
        null,
        ReservationStatus.ACTIVE,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        NOW.minusSeconds(3600),
        NOW.minusSeconds(3000),
        expiresAt,
        null,
        null,
        null,
        3);
  }
}
