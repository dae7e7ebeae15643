package dev.odc.database;

import dev.odc.core.Checks;
import java.util.Map;
import java.util.UUID;

/**
 * What {@link Reservations#create} needs to know; the rest (id, status, times, version) it decides.
 * Validated like {@link dev.odc.core.Reservation}: each message names the field.
 */
public record NewReservation(
    UUID userId,
    String username,
    String name,
    String gpuType,
    int gpuCount,
    int nodeCount,
    String image,
    double hours,
    String diskName,
    Map<String, String> labels) {
  public NewReservation {
    Checks.notNull(userId, "userId");
    Checks.notBlank(username, "username");
    Checks.name(name, "name");
    Checks.notBlank(gpuType, "gpuType");
    Checks.nonNegative(gpuCount, "gpuCount");
    Checks.positive(nodeCount, "nodeCount");
    Checks.positive(hours, "hours");
    if (diskName != null) {
      Checks.name(diskName, "diskName");
    }
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
