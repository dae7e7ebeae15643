package dev.odc.cronjobs.scheduler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run did: counts by kind (for example {@code warnings_sent}, {@code expired_enqueued}),
 * published as metrics and summarised in the job's run record.
 */
public record JobReport(Map<String, Long> counts) {
  public JobReport {
    counts = counts == null ? Map.of() : Map.copyOf(counts);
    counts.forEach(
        (k, v) -> {
          if (v < 0) {
            throw new IllegalArgumentException("count " + k + " must not be negative, was " + v);
          }
        });
  }

  public long count(String kind) {
    return counts.getOrDefault(kind, 0L);
  }

  /** Counts sorted by name, e.g. {@code deleted=2 kept=5}. */
  public String summary() {
    if (counts.isEmpty()) {
      return "nothing to do";
    }
    StringBuilder out = new StringBuilder();
    new TreeMap<>(counts)
        .forEach((k, v) -> out.append(out.isEmpty() ? "" : " ").append(k).append('=').append(v));
    return out.toString();
  }

  /** A mutable tally a job fills while it runs. */
  public static final class Builder {
    private final Map<String, Long> counts = new LinkedHashMap<>();

    public Builder add(String kind) {
      return add(kind, 1);
    }

    public Builder add(String kind, long n) {
      counts.merge(kind, n, Long::sum);
      return this;
    }

    /** Makes the kind show up as zero even when nothing was counted, so metrics exist. */
    public Builder zero(String... kinds) {
      for (String kind : kinds) {
        counts.putIfAbsent(kind, 0L);
      }
      return this;
    }

    public long get(String kind) {
      return counts.getOrDefault(kind, 0L);
    }

    public JobReport build() {
      return new JobReport(counts);
    }
  }
}
