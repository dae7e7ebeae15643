package dev.odc.bench;

import static java.util.Objects.requireNonNull;

/**
 * One measured figure next to the baseline measured in the same run.
 *
 * @param higherIsBetter true for rates (requests/s), false for times
 * @param ratio value / baseline
 * @param target the goal in words, e.g. "≥ 60% of baseline"; {@code met} says if it was reached
 */
public record Figure(
    String id,
    String title,
    double value,
    String unit,
    String baselineName,
    double baseline,
    boolean higherIsBetter,
    String target,
    boolean met,
    String note) {
  public Figure {
    requireNonNull(id, "id is null");
    requireNonNull(title, "title is null");
    requireNonNull(unit, "unit is null");
    requireNonNull(baselineName, "baselineName is null");
    requireNonNull(target, "target is null");
    note = note == null ? "" : note;
  }

  public double ratio() {
    return baseline == 0 ? Double.NaN : value / baseline;
  }
}
