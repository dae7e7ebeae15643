package dev.odc.processor.placement;

/**
 * Where a disk lets a reservation go: a disk with a snapshot can move (its zone is only {@code
 * preferred}), one without must stay ({@code required}). Both null: anywhere.
 */
public record ZoneRule(String preferred, String required) {
  public static final ZoneRule NONE = new ZoneRule(null, null);

  /** The rule of a disk whose claim lives in {@code zone}. */
  public static ZoneRule ofDisk(String zone, boolean movable) {
    return movable ? new ZoneRule(zone, null) : new ZoneRule(zone, zone);
  }
}
