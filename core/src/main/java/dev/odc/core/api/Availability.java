package dev.odc.core.api;

import dev.odc.core.GpuType;
import java.time.Instant;
import java.util.List;

/** {@code GET /v1/availability}: one row per GPU type. */
public record Availability(List<GpuType> gpuTypes, Instant updatedAt, boolean simulated) {
  public Availability {
    gpuTypes = gpuTypes == null ? List.of() : List.copyOf(gpuTypes);
  }
}
