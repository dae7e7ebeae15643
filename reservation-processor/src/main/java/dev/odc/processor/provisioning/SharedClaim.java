package dev.odc.processor.provisioning;

import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.processor.Names;
import dev.odc.providers.ClaimSpec;
import java.util.Map;

/** The user's shared volume, mounted into every reservation of that user. */
public final class SharedClaim {
  private SharedClaim() {}

  public static ClaimSpec desired(
      Reservation r, String namespace, int sizeGb, String storageClass) {
    return new ClaimSpec(
        namespace,
        Names.sharedClaim(r.username()),
        sizeGb,
        storageClass,
        null,
        Map.of(Labels.USER, ObjectLabels.labelValue(r.username())),
        null);
  }
}
