package dev.odc.processor.provisioning;

import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.processor.Names;
import dev.odc.providers.ClaimSpec;
import java.util.Map;
import java.util.Optional;

/** The claim that holds a reservation's home disk. */
public final class HomeClaim {
  private HomeClaim() {}

  /**
   * The claim to create for {@code disk} when its existing claim (if any) is not usable in {@code
   * zone}: restored from {@code snapshot} when there is one, else an empty claim for a new disk.
   */
  public static ClaimSpec desired(
      Reservation r, Disk disk, String zone, Optional<DiskSnapshot> snapshot, String namespace) {
    Map<String, String> labels =
        Map.of(
            Labels.DISK_ID, disk.id().toString(),
            Labels.USER, ObjectLabels.labelValue(r.username()),
            Labels.MANAGED_BY, Labels.ODC);
    if (snapshot.isPresent()) {
      String claimName =
          disk.pvcName() == null ? Names.claim(disk.id()) : Names.restoredClaim(disk.id(), r.id());
      int size =
          Math.max(disk.sizeGb(), snapshot.get().sizeGb() == null ? 1 : snapshot.get().sizeGb());
      return new ClaimSpec(namespace, claimName, size, disk.storageClass(), zone, labels, null)
          .restoredFrom(snapshot.get().snapshotName());
    }
    String claimName = disk.pvcName() == null ? Names.claim(disk.id()) : disk.pvcName();
    return new ClaimSpec(
        namespace, claimName, disk.sizeGb(), disk.storageClass(), zone, labels, null);
  }
}
