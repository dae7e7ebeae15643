package dev.odc.cronjobs.availability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.GpuType;
import dev.odc.core.ReservationStatus;
import dev.odc.cronjobs.availability.AvailabilityCalculator.GpuTypeSpec;
import dev.odc.cronjobs.availability.AvailabilityCalculator.NodeInfo;
import dev.odc.cronjobs.availability.AvailabilityCalculator.PodInfo;
import dev.odc.cronjobs.availability.AvailabilityCalculator.ReservationInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvailabilityCalculatorTest {
  private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
  private static final GpuTypeSpec H100 = new GpuTypeSpec("h100", "h100", 8, 96, 1024);
  private static final GpuTypeSpec T4 = new GpuTypeSpec("t4", "t4", 4, 16, 64);

  private final AvailabilityCalculator calculator = new AvailabilityCalculator();

  @Test
  void countsOnlyReadySchedulableLabelledNodesAndBoundUnfinishedPods() {
    List<NodeInfo> nodes =
        List.of(
            new NodeInfo("n1", "h100", 8, true, true),
            new NodeInfo("n2", "h100", 8, true, true),
            new NodeInfo("n3", "h100", 8, true, true),
            new NodeInfo("not-ready", "h100", 8, false, true),
            new NodeInfo("cordoned", "h100", 8, true, false),
            new NodeInfo("cpu-node", null, 0, true, true));
    List<PodInfo> pods =
        List.of(
            new PodInfo("a", "n1", 3, false),
            new PodInfo("b", "n1", 2, false),
            new PodInfo("done", "n2", 8, true),
            new PodInfo("unbound", null, 8, false),
            new PodInfo("on-cordoned", "cordoned", 8, false));

    GpuType row = calculator.compute(List.of(H100), nodes, pods, List.of(), NOW).getFirst();

    assertThat(row.totalGpus()).isEqualTo(24);
    assertThat(row.inUseGpus()).isEqualTo(5);
    assertThat(row.freeGpus()).isEqualTo(19);
    assertThat(row.fullNodesFree()).isEqualTo(2);
    assertThat(row.maxReservable()).as("two whole free nodes").isEqualTo(16);
    assertThat(row.estimatedWaitSeconds()).isZero();
    assertThat(row.updatedAt()).isEqualTo(NOW);
  }

  @Test
  void maxReservableIsTheLargestFreeOnOneNodeWhenNoTwoNodesAreWhollyFree() {
    List<NodeInfo> nodes =
        List.of(
            new NodeInfo("n1", "h100", 8, true, true), new NodeInfo("n2", "h100", 8, true, true));
    List<PodInfo> pods =
        List.of(new PodInfo("a", "n1", 6, false), new PodInfo("b", "n2", 3, false));

    GpuType row = calculator.compute(List.of(H100), nodes, pods, List.of(), NOW).getFirst();

    assertThat(row.freeGpus()).isEqualTo(7);
    assertThat(row.fullNodesFree()).isZero();
    assertThat(row.maxReservable()).isEqualTo(5);
  }

  @Test
  void aTypeWithoutNodesShowsZeros() {
    List<GpuType> rows =
        calculator.compute(
            List.of(H100, T4),
            List.of(new NodeInfo("n1", "h100", 8, true, true)),
            List.of(),
            List.of(),
            NOW);

    assertThat(rows).extracting(GpuType::name).containsExactly("h100", "t4");
    GpuType t4 = rows.get(1);
    assertThat(t4.totalGpus()).isZero();
    assertThat(t4.freeGpus()).isZero();
    assertThat(t4.maxReservable()).isZero();
    assertThat(t4.estimatedWaitSeconds()).isZero();
  }

  @Test
  void queuedDemandAndWaitComeFromExpiriesInOrder() {
    List<NodeInfo> nodes = List.of(new NodeInfo("n1", "t4", 4, true, true));
    List<PodInfo> pods =
        List.of(new PodInfo("p1", "n1", 2, false), new PodInfo("p2", "n1", 2, false));
    List<ReservationInfo> reservations =
        List.of(
            new ReservationInfo("t4", ReservationStatus.ACTIVE, 2, NOW.plus(Duration.ofHours(2))),
            new ReservationInfo(
                "t4", ReservationStatus.ACTIVE, 2, NOW.plus(Duration.ofMinutes(30))),
            new ReservationInfo("t4", ReservationStatus.QUEUED, 2, null),
            new ReservationInfo("t4", ReservationStatus.PENDING, 1, null),
            new ReservationInfo("h100", ReservationStatus.QUEUED, 8, null));

    GpuType row = calculator.compute(List.of(T4), nodes, pods, reservations, NOW).getFirst();

    assertThat(row.queued()).isEqualTo(2);
    assertThat(row.freeGpus()).isZero();
    // 3 GPUs queued + 1 more: the 30-minute one frees 2, the 2-hour one the rest.
    assertThat(row.estimatedWaitSeconds()).isEqualTo(Duration.ofHours(2).toSeconds());
  }

  @Test
  void waitIsTheFirstExpiryWhenNobodyQueues() {
    List<NodeInfo> nodes = List.of(new NodeInfo("n1", "t4", 4, true, true));
    List<PodInfo> pods = List.of(new PodInfo("p1", "n1", 4, false));
    List<ReservationInfo> reservations =
        List.of(
            new ReservationInfo(
                "t4", ReservationStatus.ACTIVE, 4, NOW.plus(Duration.ofMinutes(45))));

    GpuType row = calculator.compute(List.of(T4), nodes, pods, reservations, NOW).getFirst();

    assertThat(row.estimatedWaitSeconds()).isEqualTo(45 * 60);
  }

  @Test
  void countsCorrectlyAtTwoThousandNodesAndTwentyThousandPods() {
    List<NodeInfo> nodes = new ArrayList<>();
    List<PodInfo> pods = new ArrayList<>();
    for (int n = 0; n < 2000; n++) {
      nodes.add(
          new NodeInfo("node-" + n, n % 2 == 0 ? "h100" : "t4", n % 2 == 0 ? 8 : 4, true, true));
      for (int p = 0; p < 10; p++) {
        // one GPU per pod on even pods only: h100 nodes keep 3 free, t4 nodes are full (4 of 4, one
        // over)
        pods.add(new PodInfo("pod-" + n + "-" + p, "node-" + n, p % 2 == 0 ? 1 : 0, false));
      }
    }
    List<ReservationInfo> reservations = new ArrayList<>();
    for (int r = 0; r < 5000; r++) {
      reservations.add(
          new ReservationInfo("t4", ReservationStatus.ACTIVE, 1, NOW.plusSeconds(60L + r)));
    }
    // Speed at this scale is measured by bench/ (AvailabilityBench), not asserted here.
    List<GpuType> rows = calculator.compute(List.of(H100, T4), nodes, pods, reservations, NOW);

    assertThat(rows.get(0).totalGpus()).isEqualTo(8000);
    assertThat(rows.get(0).inUseGpus()).isEqualTo(5000);
    assertThat(rows.get(1).totalGpus()).isEqualTo(4000);
    assertThat(rows.get(1).inUseGpus()).as("capped at the node's allocatable").isEqualTo(4000);
    assertThat(rows.get(1).estimatedWaitSeconds()).isEqualTo(60);
  }
}
