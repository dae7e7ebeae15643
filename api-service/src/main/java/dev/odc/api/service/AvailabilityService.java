package dev.odc.api.service;

import dev.odc.core.GpuType;
import dev.odc.core.api.Availability;
import dev.odc.database.GpuTypeDao;
import dev.odc.database.ReservationDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * GPU capacity as the availability job last measured it, with the queued counts taken live from the
 * reservations, and how GPUs were used over a past window.
 */
public class AvailabilityService {
  /**
   * GPUs held and waited for at each step of the window, from the reservations' own times (created,
   * started, ended): the database keeps no history of the availability job's counts.
   */
  static final String HISTORY =
      """
      with points as (
        select generate_series(cast(:from as timestamptz), cast(:to as timestamptz),
                               make_interval(secs => :step)) as t
      )
      select p.t as at, r.gpu_type,
        coalesce(sum(r.gpu_count * r.node_count)
                 filter (where r.started_at <= p.t), 0) as in_use,
        coalesce(sum(r.gpu_count * r.node_count)
                 filter (where r.started_at is null or r.started_at > p.t), 0) as waiting
      from points p
      join reservations r
        on r.created_at <= p.t and (r.ended_at is null or r.ended_at > p.t)
      group by p.t, r.gpu_type
      """;

  private final Jdbi jdbi;
  private final boolean simulated;
  private final Clock clock;

  /**
   * @param simulated the configuration's {@code simulatedCluster}: the capacity is that of a
   *     simulated cluster (the sandbox), not of real GPUs
   */
  public AvailabilityService(Jdbi jdbi, boolean simulated, Clock clock) {
    this.jdbi = jdbi;
    this.simulated = simulated;
    this.clock = clock;
  }

  public Availability current() {
    return jdbi.inTransaction(
        handle -> {
          List<GpuType> types = handle.attach(GpuTypeDao.class).list();
          Map<String, Integer> waiting =
              handle.attach(ReservationDao.class).waitingByGpuType().stream()
                  .collect(
                      Collectors.toMap(
                          ReservationDao.Waiting::gpuType, ReservationDao.Waiting::waiting));
          List<GpuType> rows = new ArrayList<>();
          Instant updated = null;
          for (GpuType t : types) {
            rows.add(
                new GpuType(
                    t.name(),
                    t.nodeLabelValue(),
                    t.gpusPerNode(),
                    t.cpusPerNode(),
                    t.memoryGbPerNode(),
                    t.totalGpus(),
                    t.inUseGpus(),
                    t.freeGpus(),
                    t.fullNodesFree(),
                    t.maxReservable(),
                    waiting.getOrDefault(t.name(), 0),
                    t.estimatedWaitSeconds(),
                    t.updatedAt()));
            if (t.updatedAt() != null && (updated == null || t.updatedAt().isAfter(updated))) {
              updated = t.updatedAt();
            }
          }
          return new Availability(rows, updated, simulated);
        });
  }

  /** One GPU type's GPUs in use and waited for, one value per step of {@link History}. */
  public record Series(String gpuType, int totalGpus, List<Integer> inUse, List<Integer> waiting) {
    public Series {
      inUse = List.copyOf(inUse);
      waiting = List.copyOf(waiting);
    }
  }

  /** Usage over {@code [from, to]} sampled every {@code stepSeconds}. */
  public record History(Instant from, Instant to, long stepSeconds, List<Series> series) {
    public History {
      series = List.copyOf(series);
    }
  }

  /**
   * The last {@code window}, sampled at {@code steps + 1} instants ending now. Capacity is today's
   * total (no history of it is kept).
   */
  public History history(Duration window, int steps) {
    if (steps < 1 || steps > 500 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window and steps out of range");
    }
    long step = Math.max(1, window.toSeconds() / steps);
    Instant to = clock.instant();
    Instant from = to.minusSeconds(step * steps);
    record Row(Instant at, String gpuType, int inUse, int waiting) {}
    return jdbi.withHandle(
        handle -> {
          List<GpuType> types = handle.attach(GpuTypeDao.class).list();
          List<Row> rows =
              handle
                  .createQuery(HISTORY)
                  .bind("from", from)
                  .bind("to", to)
                  .bind("step", (double) step)
                  .map(
                      (rs, ctx) ->
                          new Row(
                              rs.getTimestamp("at").toInstant(),
                              rs.getString("gpu_type"),
                              rs.getInt("in_use"),
                              rs.getInt("waiting")))
                  .list();
          Map<String, int[][]> byType = new LinkedHashMap<>();
          for (GpuType t : types) {
            byType.put(t.name(), new int[2][steps + 1]);
          }
          for (Row row : rows) {
            int[][] values = byType.get(row.gpuType());
            int index = (int) ((row.at().getEpochSecond() - from.getEpochSecond()) / step);
            if (values != null && index >= 0 && index <= steps) {
              values[0][index] = row.inUse();
              values[1][index] = row.waiting();
            }
          }
          List<Series> series = new ArrayList<>();
          for (GpuType t : types) {
            int[][] values = byType.get(t.name());
            series.add(
                new Series(
                    t.name(),
                    t.totalGpus(),
                    Arrays.stream(values[0]).boxed().toList(),
                    Arrays.stream(values[1]).boxed().toList()));
          }
          return new History(from, to, step, series);
        });
  }
}
