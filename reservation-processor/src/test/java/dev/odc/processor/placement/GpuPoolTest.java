package dev.odc.processor.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.ReservationStatus;
import dev.odc.database.QueueEntry;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GpuPoolTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void singleNodeReservationGoesToTheFullestNodeThatHasRoom() {
    GpuPool pool = GpuPool.of(List.of(node("a", "zone-a", 8), node("b", "zone-a", 3)));

    Placement p = pool.fit(2, 1, ZoneRule.NONE).orElseThrow();

    assertThat(p.zone()).isEqualTo("zone-a");
    // best fit: the 3-GPU node loses 2, the 8-GPU node stays whole for a bigger request
    assertThat(pool.freeOn("b")).isEqualTo(1);
    assertThat(pool.freeOn("a")).isEqualTo(8);
    assertThat(pool.total()).isEqualTo(9);
  }

  @Test
  void noRoomLeavesThePoolAsItWas() {
    GpuPool pool = GpuPool.of(List.of(node("a", "zone-a", 4), node("b", "zone-b", 4)));

    assertThat(pool.fit(8, 1, ZoneRule.NONE)).isEmpty();
    assertThat(pool.total()).isEqualTo(8);
  }

  @Test
  void multiNodeReservationNeedsEnoughNodesInOneZone() {
    GpuPool pool =
        GpuPool.of(
            List.of(node("a1", "zone-a", 8), node("b1", "zone-b", 8), node("b2", "zone-b", 8)));

    Placement p = pool.fit(8, 2, ZoneRule.NONE).orElseThrow();

    assertThat(p.zone()).isEqualTo("zone-b");
    assertThat(p.nodes()).extracting(NodeView::name).containsExactly("b1", "b2");
    assertThat(pool.freeOn("b1") + pool.freeOn("b2")).isZero();
    assertThat(pool.freeOn("a1")).isEqualTo(8);
    // two nodes of 8 in one zone are gone; zone-a alone cannot hold a second one
    assertThat(pool.fit(8, 2, ZoneRule.NONE)).isEmpty();
  }

  @Test
  void multiNodeReservationDoesNotStackTwoNodesOnOneMachine() {
    GpuPool pool = GpuPool.of(List.of(node("big", "zone-a", 16)));

    assertThat(pool.fit(8, 2, ZoneRule.NONE)).isEmpty();
  }

  @Test
  void preferredZoneComesFirstButAnotherZoneStillServes() {
    GpuPool pool = GpuPool.of(List.of(node("a", "zone-a", 8), node("b", "zone-b", 8)));

    assertThat(pool.fit(4, 1, new ZoneRule("zone-b", null)).orElseThrow().zone())
        .isEqualTo("zone-b");
    assertThat(pool.fit(8, 1, new ZoneRule("zone-b", null)).orElseThrow().zone())
        .isEqualTo("zone-a");
  }

  @Test
  void requiredZoneExcludesTheOthers() {
    GpuPool pool = GpuPool.of(List.of(node("a", "zone-a", 8), node("b", "zone-b", 2)));
    ZoneRule stayInB = ZoneRule.ofDisk("zone-b", false);

    assertThat(pool.fit(4, 1, stayInB)).isEmpty();
    assertThat(pool.fit(2, 1, stayInB).orElseThrow().zone()).isEqualTo("zone-b");
  }

  @Test
  void zoneRuleOfADiskWithASnapshotOnlyPrefers() {
    assertThat(ZoneRule.ofDisk("zone-a", true)).isEqualTo(new ZoneRule("zone-a", null));
    assertThat(ZoneRule.ofDisk("zone-a", false)).isEqualTo(new ZoneRule("zone-a", "zone-a"));
  }

  @Test
  void nodesWithoutAZoneLabelPlaceWithANullZone() {
    GpuPool pool = GpuPool.of(List.of(node("a", null, 4)));

    Placement p = pool.fit(4, 1, ZoneRule.NONE).orElseThrow();

    assertThat(p.zone()).isNull();
    assertThat(p.nodes()).extracting(NodeView::name).containsExactly("a");
  }

  @Test
  void preparingReservationsWhosePodsAreNotBoundYetAreSetAside() {
    QueueEntry bound = entry(ReservationStatus.PREPARING, 4, 1);
    QueueEntry unbound = entry(ReservationStatus.PREPARING, 2, 2);
    QueueEntry queued = entry(ReservationStatus.QUEUED, 8, 1);
    Set<UUID> onNode = Set.of(bound.id());

    GpuPool pool =
        GpuPool.of(
            List.of(node("a", "zone-a", 8), node("b", "zone-a", 4)),
            List.of(bound, unbound, queued),
            (id, i) -> onNode.contains(id));

    // the bound one is already in the nodes' counts; the unbound one takes 2 × 2; queued takes none
    // (best fit: both from the 4-GPU node)
    assertThat(pool.total()).isEqualTo(8);
    assertThat(pool.freeOn("b")).isZero();
    assertThat(pool.freeOn("a")).isEqualTo(8);
  }

  @Test
  void reservationsAheadTakeTheirShareFirst() {
    GpuPool pool = GpuPool.of(List.of(node("a", "zone-a", 8)));

    // the one ahead fits and takes 6; the next one of 4 no longer does, one of 2 still does
    assertThat(pool.fit(6, 1, ZoneRule.NONE)).isPresent();
    assertThat(pool.fit(4, 1, ZoneRule.NONE)).isEmpty();
    assertThat(pool.fit(2, 1, ZoneRule.NONE)).isPresent();
    assertThat(pool.total()).isZero();
  }

  static NodeView node(String name, String zone, int free) {
    return new NodeView(name, "h100", zone, 8, free, 64_000, 512L << 30, "10.0.0.1");
  }

  private static QueueEntry entry(ReservationStatus status, int gpus, int nodes) {
    return new QueueEntry(UUID.randomUUID(), UUID.randomUUID(), status, gpus, nodes, T, 0);
  }
}
