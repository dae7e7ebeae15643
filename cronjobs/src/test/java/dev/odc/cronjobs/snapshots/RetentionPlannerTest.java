package dev.odc.cronjobs.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.cronjobs.snapshots.RetentionPlanner.Deletion;
import dev.odc.cronjobs.snapshots.RetentionPlanner.Plan;
import dev.odc.cronjobs.snapshots.RetentionPlanner.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RetentionPlannerTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  private static final UUID USER = UUID.randomUUID();

  private final RetentionPlanner planner = new RetentionPlanner(RetentionPolicy.defaults());

  static Disk disk(String name, Instant deletedAt) {
    return new Disk(
        UUID.randomUUID(),
        USER,
        name,
        100,
        "gp3",
        "a",
        null,
        null,
        null,
        false,
        NOW.minus(Duration.ofDays(90)),
        deletedAt);
  }

  static DiskSnapshot snap(
      Disk d, String name, Duration age, boolean ready, Instant retainedUntil) {
    // the release's row, then what the snapshot follower records: ready, or failed
    DiskSnapshot released =
        DiskSnapshot.released(UUID.randomUUID(), d.id(), name, d.sizeGb(), NOW.minus(age));
    return new DiskSnapshot(
        released.id(),
        d.id(),
        name,
        ready ? "snap-" + name : null,
        released.sizeGb(),
        ready,
        released.createdAt(),
        retainedUntil,
        null,
        ready ? null : "failed");
  }

  private static List<String> names(Plan plan) {
    return plan.deletions().stream().map(d -> d.snapshot().snapshotName()).toList();
  }

  @Test
  void theNewestReadySnapshotOfALiveDiskStaysEvenWhenOlderThanMaxAge() {
    Disk d = disk("home", null);
    Plan plan =
        planner.plan(
            List.of(d),
            List.of(
                snap(d, "old-ready", Duration.ofDays(30), true, null),
                snap(d, "newer-but-failed", Duration.ofDays(1), false, null)),
            NOW);

    assertThat(names(plan)).containsExactly("newer-but-failed");
    assertThat(plan.deletions().getFirst().reason()).isEqualTo(Reason.NEVER_READY);
  }

  @Test
  void theNewestReadyStaysEvenWithKeepNewestZero() {
    RetentionPlanner keepNone =
        new RetentionPlanner(new RetentionPolicy(0, Duration.ofDays(7), 10, Duration.ofHours(6)));
    Disk d = disk("home", null);
    Plan plan =
        keepNone.plan(
            List.of(d),
            List.of(
                snap(d, "s1", Duration.ofDays(20), true, null),
                snap(d, "s2", Duration.ofDays(10), true, null)),
            NOW);

    assertThat(names(plan)).containsExactly("s1");
  }

  @Test
  void keepsTheNewestNReadyAndDeletesOlderOnesPastMaxAge() {
    Disk d = disk("home", null);
    Plan plan =
        planner.plan(
            List.of(d),
            List.of(
                snap(d, "d1", Duration.ofDays(1), true, null),
                snap(d, "d2", Duration.ofDays(8), true, null),
                snap(d, "d3", Duration.ofDays(9), true, null),
                snap(d, "d4", Duration.ofDays(10), true, null),
                snap(d, "d5", Duration.ofDays(11), true, null),
                snap(d, "young-extra", Duration.ofDays(2), true, null),
                snap(d, "protected", Duration.ofDays(40), true, NOW.plus(Duration.ofDays(1))),
                snap(d, "pending", Duration.ofHours(1), false, null)),
            NOW);

    // newest 3 ready: d1, young-extra, d2; d3..d5 are old; "protected" is retained until later.
    assertThat(names(plan)).containsExactly("d5", "d4", "d3");
    assertThat(plan.deletions()).extracting(Deletion::reason).containsOnly(Reason.EXPIRED);
    assertThat(plan.kept()).isEqualTo(5);
  }

  @Test
  void snapshotsOfASoftDeletedDiskGoAfterTheirRetentionDate() {
    Disk gone = disk("gone", NOW.minus(Duration.ofDays(8)));
    Disk recent = disk("recent", NOW.minus(Duration.ofDays(2)));
    Disk pinned = disk("pinned", NOW.minus(Duration.ofDays(30)));
    Plan plan =
        planner.plan(
            List.of(gone, recent, pinned),
            List.of(
                snap(gone, "gone-newest", Duration.ofDays(9), true, null),
                snap(recent, "recent-newest", Duration.ofDays(9), true, null),
                snap(pinned, "pinned-1", Duration.ofDays(40), true, NOW.plus(Duration.ofDays(3)))),
            NOW);

    assertThat(names(plan)).containsExactly("gone-newest");
    assertThat(plan.deletions().getFirst().reason()).isEqualTo(Reason.DISK_DELETED);
  }

  @Test
  void atMostMaxDeletionsPerRunOldestFirst() {
    Disk d = disk("home", NOW.minus(Duration.ofDays(30)));
    List<DiskSnapshot> many = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      many.add(snap(d, "s" + i, Duration.ofDays(20 + i), true, null));
    }
    Plan plan = planner.plan(List.of(d), many, NOW);

    assertThat(plan.deletions()).hasSize(10);
    assertThat(plan.deferred()).isEqualTo(5);
    assertThat(names(plan).getFirst()).isEqualTo("s14");
  }

  @Test
  void aReleaseRowIsGovernedByTheConfiguredPolicyAlone() {
    // rows as a release writes them carry no retention date of their own, so a short maxAge, a
    // keep-newest of 1 and a short never-ready limit all take effect
    Disk d = disk("home", null);
    RetentionPlanner strict =
        new RetentionPlanner(new RetentionPolicy(1, Duration.ofDays(2), 10, Duration.ofHours(1)));
    Plan plan =
        strict.plan(
            List.of(d),
            List.of(
                snap(d, "newest", Duration.ofDays(5), true, null),
                snap(d, "older", Duration.ofDays(6), true, null),
                snap(d, "young", Duration.ofDays(1), true, null),
                snap(d, "failed-2h", Duration.ofHours(2), false, null),
                snap(d, "failed-10m", Duration.ofMinutes(10), false, null)),
            NOW);
    assertThat(DiskSnapshot.released(UUID.randomUUID(), d.id(), "x", 1, NOW).retainedUntil())
        .isNull();
    // "young" is the newest ready one and the keep-newest 1; "newest" (5 days) and "older" (6
    // days) are past maxAge; the failed one past the never-ready limit goes, the recent one stays
    assertThat(names(plan)).containsExactly("older", "newest", "failed-2h");
  }

  @Test
  void snapshotsOfAnUnknownDiskAreNeverDeleted() {
    Disk unknown = disk("unknown", null);
    Plan plan =
        planner.plan(
            List.of(), List.of(snap(unknown, "x", Duration.ofDays(100), false, null)), NOW);

    assertThat(plan.deletions()).isEmpty();
    assertThat(plan.kept()).isEqualTo(1);
  }
}
