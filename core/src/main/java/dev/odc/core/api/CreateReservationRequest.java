package dev.odc.core.api;

import java.util.Map;

/**
 * Body of {@code POST /v1/reservations}. Validation happens at the API edge, which answers with the
 * field name; the record itself accepts nulls so that the edge can report all of them.
 *
 * @param nodeCount null means 1
 * @param disk a disk name, {@code none} for no home disk, or null for the user's default disk
 * @param image null means the platform's default image
 */
public record CreateReservationRequest(
    String gpuType,
    Integer gpuCount,
    Integer nodeCount,
    Double hours,
    String name,
    String image,
    String disk,
    Map<String, String> labels) {
  public CreateReservationRequest {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** The disk value that asks for no home disk at all. */
  public static final String NO_DISK = "none";
}
