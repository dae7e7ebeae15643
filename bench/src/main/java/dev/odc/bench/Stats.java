package dev.odc.bench;

import java.util.Arrays;

/** Percentiles of a set of samples (nearest-rank). */
public final class Stats {
  private final double[] sorted;

  public Stats(double[] samples) {
    if (samples.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    this.sorted = samples.clone();
    Arrays.sort(sorted);
  }

  public static Stats ofNanos(long[] nanos, int count) {
    double[] ms = new double[count];
    for (int i = 0; i < count; i++) {
      ms[i] = nanos[i] / 1e6;
    }
    return new Stats(ms);
  }

  public double percentile(double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  public double median() {
    return percentile(50);
  }

  public double min() {
    return sorted[0];
  }

  public double max() {
    return sorted[sorted.length - 1];
  }

  public int count() {
    return sorted.length;
  }
}
