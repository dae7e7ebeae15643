package dev.odc.processor.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.ReservationStatus;
import dev.odc.database.QueueEntry;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FairOrderTest {
  private static final UUID ALICE = UUID.randomUUID();
  private static final UUID BOB = UUID.randomUUID();
  private static final UUID CAROL = UUID.randomUUID();
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void alternatesUsersAndLeavesOutThoseBeingPrepared() {
    QueueEntry a1 = waiting(ALICE, T);
    QueueEntry a2 = waiting(ALICE, T.plusSeconds(1));
    QueueEntry a3 = waiting(ALICE, T.plusSeconds(2));
    QueueEntry b1 = waiting(BOB, T.plusSeconds(3));
    QueueEntry preparing =
        new QueueEntry(UUID.randomUUID(), BOB, ReservationStatus.PREPARING, 1, 1, T, 1);

    assertThat(FairOrder.of(List.of(a3, b1, preparing, a1, a2))).containsExactly(a1, b1, a2, a3);
  }

  @Test
  void withinOneRoundTheEarlierRequestGoesFirst() {
    QueueEntry c1 = waiting(CAROL, T);
    QueueEntry b1 = waiting(BOB, T.plusSeconds(1));
    QueueEntry a1 = waiting(ALICE, T.plusSeconds(2));
    QueueEntry c2 = waiting(CAROL, T.plusSeconds(3));
    QueueEntry b2 = waiting(BOB, T.plusSeconds(4));

    assertThat(FairOrder.of(List.of(b2, a1, c2, b1, c1))).containsExactly(c1, b1, a1, c2, b2);
  }

  @Test
  void pendingAndQueuedWaitAlikeButActiveOnesDoNotWait() {
    QueueEntry pending =
        new QueueEntry(UUID.randomUUID(), ALICE, ReservationStatus.PENDING, 1, 1, T, 0);
    QueueEntry queued = waiting(BOB, T.plusSeconds(1));
    QueueEntry active =
        new QueueEntry(UUID.randomUUID(), CAROL, ReservationStatus.ACTIVE, 1, 1, T, 3);

    assertThat(FairOrder.of(List.of(active, queued, pending))).containsExactly(pending, queued);
  }

  @Test
  void positionCountsFromOneAndIsOnePastTheEndForAStranger() {
    QueueEntry a1 = waiting(ALICE, T);
    QueueEntry b1 = waiting(BOB, T.plusSeconds(1));

    assertThat(FairOrder.position(a1.id(), List.of(a1, b1))).isEqualTo(1);
    assertThat(FairOrder.position(b1.id(), List.of(a1, b1))).isEqualTo(2);
    assertThat(FairOrder.position(UUID.randomUUID(), List.of(a1, b1))).isEqualTo(3);
  }

  private static QueueEntry waiting(UUID user, Instant createdAt) {
    return new QueueEntry(UUID.randomUUID(), user, ReservationStatus.QUEUED, 1, 1, createdAt, 0);
  }
}
