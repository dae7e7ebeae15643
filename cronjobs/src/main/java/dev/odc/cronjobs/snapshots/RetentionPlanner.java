package dev.odc.cronjobs.snapshots;

import static java.util.Objects.requireNonNull;

import dev.odc.core.Checks;
import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Decides which snapshots go. Pure: the job feeds it rows and executes the plan.
 *
 * <ul>
 *   <li>Live disk: the newest {@code keepNewest} ready snapshots stay; older ready ones go once
 *       older than {@code maxAge}. The newest ready snapshot never goes, whatever its age (it is
 *       what the next reservation restores from).
 *   <li>Soft-deleted disk: every snapshot goes after its retention date ({@code retained_until},
 *       else deletion time + {@code maxAge}).
 *   <li>Not ready after {@code neverReadyLimit}: goes, and is reported.
 *   <li>A {@code retained_until} in the future always protects a snapshot.
 *   <li>Oldest first, at most {@code maxDeletionsPerRun}; the rest wait for the next run.
 * </ul>
 */
public final class RetentionPlanner {

  public enum Reason {
    EXPIRED,
    DISK_DELETED,
    NEVER_READY
  }

  public record Deletion(DiskSnapshot snapshot, Reason reason) {
    public Deletion {
      Checks.notNull(snapshot, "snapshot");
      Checks.notNull(reason, "reason");
    }
  }

  /**
   * @param deletions what to delete this run, oldest first
   * @param deferred further deletions due, left for later runs by the per-run limit
   * @param kept snapshots that stay
   */
  public record Plan(List<Deletion> deletions, int deferred, int kept) {
    public Plan {
      deletions = List.copyOf(deletions);
    }
  }

  private final RetentionPolicy policy;

  public RetentionPlanner(RetentionPolicy policy) {
    this.policy = requireNonNull(policy, "policy is null");
  }

  /**
   * @param disks every disk the snapshots belong to, soft-deleted ones included
   * @param snapshots snapshots not yet deleted
   */
  public Plan plan(List<Disk> disks, List<DiskSnapshot> snapshots, Instant now) {
    Map<UUID, Disk> diskById = new HashMap<>();
    disks.forEach(d -> diskById.put(d.id(), d));
    Map<UUID, List<DiskSnapshot>> byDisk = new HashMap<>();
    for (DiskSnapshot s : snapshots) {
      if (s.deletedAt() == null) {
        byDisk.computeIfAbsent(s.diskId(), k -> new ArrayList<>()).add(s);
      }
    }
    List<Deletion> due = new ArrayList<>();
    int kept = 0;
    Comparator<DiskSnapshot> newestFirst =
        Comparator.comparing(DiskSnapshot::createdAt)
            .reversed()
            .thenComparing(s -> s.id().toString());
    for (Map.Entry<UUID, List<DiskSnapshot>> e : byDisk.entrySet()) {
      Disk disk = diskById.get(e.getKey());
      List<DiskSnapshot> list = e.getValue();
      list.sort(newestFirst);
      if (disk == null) {
        // No row to judge by: never delete on a guess.
        kept += list.size();
        continue;
      }
      int readySeen = 0;
      for (DiskSnapshot s : list) {
        Reason reason = null;
        boolean protectedUntil = s.retainedUntil() != null && s.retainedUntil().isAfter(now);
        if (disk.deleted()) {
          Instant retention =
              s.retainedUntil() != null
                  ? s.retainedUntil()
                  : disk.deletedAt().plus(policy.maxAge());
          if (retention.isBefore(now)) {
            reason = Reason.DISK_DELETED;
          }
        } else if (s.ready()) {
          boolean newest = readySeen == 0;
          boolean inKeep = readySeen < policy.keepNewest();
          readySeen++;
          if (!newest
              && !inKeep
              && !protectedUntil
              && s.createdAt().plus(policy.maxAge()).isBefore(now)) {
            reason = Reason.EXPIRED;
          }
        } else if (!protectedUntil && s.createdAt().plus(policy.neverReadyLimit()).isBefore(now)) {
          reason = Reason.NEVER_READY;
        }
        if (reason == null) {
          kept++;
        } else {
          due.add(new Deletion(s, reason));
        }
      }
    }
    due.sort(
        Comparator.comparing((Deletion d) -> d.snapshot().createdAt())
            .thenComparing(d -> d.snapshot().id().toString()));
    int take = Math.min(due.size(), policy.maxDeletionsPerRun());
    return new Plan(due.subList(0, take), due.size() - take, kept);
  }
}
