package dev.odc.providers.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.odc.providers.ClaimSpec;
import dev.odc.providers.InvalidRequestException;
import dev.odc.providers.ProviderTimeoutException;
import dev.odc.providers.ResourceNotFoundException;
import dev.odc.providers.SnapshotSpec;
import dev.odc.providers.StorageBackend;
import dev.odc.providers.StorageException;
import dev.odc.providers.VolumeClaim;
import dev.odc.providers.VolumeSnapshotInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link StorageBackend} passes. A subclass provides the backend, a namespace,
 * the zones its cluster has, and plays the snapshot controller (a real cluster's controller does
 * that by itself; a mock server needs the test to set the status).
 */
public abstract class AbstractStorageBackendContractTest {

  /** The backend under test. */
  protected abstract StorageBackend storage();

  /** A namespace the backend may create claims and snapshots in. */
  protected abstract String namespace();

  /** A zone the cluster has. */
  protected abstract String knownZone();

  /** A zone name the cluster does not have. */
  protected String unknownZone() {
    return "no-such-zone-9z";
  }

  /**
   * Makes the snapshot ready the way the snapshot controller would: {@code readyToUse}, a restore
   * size, a bound content carrying {@code handle}.
   */
  protected abstract void completeSnapshot(
      String namespace, String name, int sizeGb, String handle);

  /** Makes the snapshot report an error, as the snapshot controller would. */
  protected abstract void failSnapshot(String namespace, String name, String message);

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void claimLifecycleCreateFindResizeDelete() {
    String name = unique("home");
    ClaimSpec spec =
        ClaimSpec.of(namespace(), name, 10)
            .withZone(knownZone())
            .withLabels(Map.of("odc.dev/disk-id", "d1"));

    VolumeClaim created = storage().ensureClaim(spec);
    assertThat(created.name()).isEqualTo(name);
    assertThat(created.sizeGb()).isEqualTo(10);
    assertThat(created.zone()).isEqualTo(knownZone());
    assertThat(created.labels()).containsEntry("odc.dev/disk-id", "d1");
    assertThat(created.fromSnapshot()).isNull();

    VolumeClaim again = storage().ensureClaim(spec.withLabels(Map.of("other", "x")));
    assertThat(again.name()).isEqualTo(name);
    assertThat(again.labels()).containsEntry("odc.dev/disk-id", "d1").doesNotContainKey("other");

    assertThat(storage().findClaim(namespace(), name))
        .hasValueSatisfying(c -> assertThat(c.sizeGb()).isEqualTo(10));

    assertThat(storage().resizeClaim(namespace(), name, 20).sizeGb()).isEqualTo(20);
    assertThat(storage().findClaim(namespace(), name).orElseThrow().sizeGb()).isEqualTo(20);
    assertThat(storage().resizeClaim(namespace(), name, 20).sizeGb()).isEqualTo(20);
    assertThatThrownBy(() -> storage().resizeClaim(namespace(), name, 5))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("shrink");

    assertThat(storage().deleteClaim(namespace(), name)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> storage().findClaim(namespace(), name).isEmpty());
    assertThat(storage().deleteClaim(namespace(), name)).isFalse();
  }

  @Test
  void concurrentEnsureClaimYieldsOneClaim() {
    String name = unique("race");
    ClaimSpec spec = ClaimSpec.of(namespace(), name, 1);
    List<CompletableFuture<VolumeClaim>> calls =
        List.of(
            CompletableFuture.supplyAsync(() -> storage().ensureClaim(spec)),
            CompletableFuture.supplyAsync(() -> storage().ensureClaim(spec)),
            CompletableFuture.supplyAsync(() -> storage().ensureClaim(spec)));
    assertThat(calls).allSatisfy(c -> assertThat(c.join().name()).isEqualTo(name));
    storage().deleteClaim(namespace(), name);
  }

  @Test
  void snapshotRestoreAndDelete() {
    String disk = unique("disk");
    String snap = disk + "-s1";
    storage()
        .ensureClaim(
            ClaimSpec.of(namespace(), disk, 8).withLabels(Map.of("odc.dev/disk-id", disk)));

    VolumeSnapshotInfo taken =
        storage()
            .createSnapshot(
                SnapshotSpec.of(namespace(), snap, disk, Map.of("odc.dev/disk-id", disk)));
    assertThat(taken.name()).isEqualTo(snap);
    assertThat(taken.claimName()).isEqualTo(disk);
    assertThat(taken.readyToUse()).isFalse();
    assertThat(storage().createSnapshot(SnapshotSpec.of(namespace(), snap, disk, Map.of())).name())
        .isEqualTo(snap);

    completeSnapshot(namespace(), snap, 8, "snap-0123456789abcdef0");
    VolumeSnapshotInfo ready =
        storage().awaitSnapshotReady(namespace(), snap, Duration.ofSeconds(20));
    assertThat(ready.readyToUse()).isTrue();
    assertThat(ready.restoreSizeGb()).contains(8);
    assertThat(ready.contentName()).isNotBlank();
    assertThat(ready.cloudSnapshotId()).contains("snap-0123456789abcdef0");

    assertThat(storage().listSnapshots(namespace(), Map.of("odc.dev/disk-id", disk)))
        .extracting(VolumeSnapshotInfo::name)
        .containsExactly(snap);
    assertThat(storage().listSnapshots(namespace(), Map.of("odc.dev/disk-id", "nobody"))).isEmpty();

    String restored = disk + "-r";
    VolumeClaim claim =
        storage()
            .ensureClaim(
                ClaimSpec.of(namespace(), restored, 8).withZone(knownZone()).restoredFrom(snap));
    assertThat(claim.fromSnapshot()).isEqualTo(snap);
    assertThat(claim.zone()).isEqualTo(knownZone());

    assertThatThrownBy(
            () ->
                storage()
                    .ensureClaim(ClaimSpec.of(namespace(), disk + "-small", 4).restoredFrom(snap)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("8 GiB");

    assertThat(storage().deleteSnapshot(namespace(), snap)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> storage().findSnapshot(namespace(), snap).isEmpty());
    assertThat(storage().deleteSnapshot(namespace(), snap)).isFalse();
    storage().deleteClaim(namespace(), restored);
    storage().deleteClaim(namespace(), disk);
  }

  @Test
  void snapshotsListOldestFirst() {
    String disk = unique("hist");
    storage().ensureClaim(ClaimSpec.of(namespace(), disk, 1));
    for (int i = 1; i <= 3; i++) {
      storage()
          .createSnapshot(
              SnapshotSpec.of(namespace(), disk + "-" + i, disk, Map.of("odc.dev/disk-id", disk)));
    }
    List<VolumeSnapshotInfo> listed =
        storage().listSnapshots(namespace(), Map.of("odc.dev/disk-id", disk));
    assertThat(listed).hasSize(3);
    assertThat(listed).allSatisfy(s -> assertThat(s.claimName()).isEqualTo(disk));
    for (int i = 1; i <= 3; i++) {
      storage().deleteSnapshot(namespace(), disk + "-" + i);
    }
    storage().deleteClaim(namespace(), disk);
  }

  @Test
  void missingThingsAreEmptyOrNotFound() {
    assertThat(storage().findClaim(namespace(), "no-such-claim")).isEmpty();
    assertThat(storage().findSnapshot(namespace(), "no-such-snapshot")).isEmpty();
    assertThat(storage().deleteClaim(namespace(), "no-such-claim")).isFalse();
    assertThat(storage().deleteSnapshot(namespace(), "no-such-snapshot")).isFalse();
    assertThatThrownBy(() -> storage().resizeClaim(namespace(), "no-such-claim", 5))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("no-such-claim");
    assertThatThrownBy(
            () ->
                storage()
                    .createSnapshot(
                        SnapshotSpec.of(namespace(), "orphan-snap", "no-such-claim", Map.of())))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("no-such-claim");
    assertThatThrownBy(
            () ->
                storage()
                    .ensureClaim(
                        ClaimSpec.of(namespace(), unique("x"), 1).restoredFrom("no-such-snapshot")))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("no-such-snapshot");
    assertThatThrownBy(
            () ->
                storage()
                    .awaitSnapshotReady(namespace(), "no-such-snapshot", Duration.ofSeconds(1)))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void badInputIsRejectedClearly() {
    assertThatThrownBy(() -> ClaimSpec.of(namespace(), "zero", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sizeGb");
    assertThatThrownBy(() -> ClaimSpec.of(namespace(), "Not_A_Name", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    String name = unique("lost");
    assertThatThrownBy(
            () -> storage().ensureClaim(ClaimSpec.of(namespace(), name, 1).withZone(unknownZone())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(unknownZone());
    assertThat(storage().findClaim(namespace(), name)).isEmpty();
    assertThatThrownBy(() -> storage().resizeClaim(namespace(), name, 0))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void waitingReportsErrorsAndTimeouts() {
    String disk = unique("wait");
    storage().ensureClaim(ClaimSpec.of(namespace(), disk, 1));
    storage().createSnapshot(SnapshotSpec.of(namespace(), disk + "-slow", disk, Map.of()));
    assertThatThrownBy(
            () -> storage().awaitSnapshotReady(namespace(), disk + "-slow", Duration.ofMillis(300)))
        .isInstanceOf(ProviderTimeoutException.class)
        .hasMessageContaining(disk + "-slow");

    storage().createSnapshot(SnapshotSpec.of(namespace(), disk + "-bad", disk, Map.of()));
    failSnapshot(namespace(), disk + "-bad", "volume is busy");
    assertThat(storage().findSnapshot(namespace(), disk + "-bad").orElseThrow().error())
        .contains("volume is busy");
    assertThatThrownBy(
            () -> storage().awaitSnapshotReady(namespace(), disk + "-bad", Duration.ofSeconds(5)))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("volume is busy");
    storage().deleteSnapshot(namespace(), disk + "-slow");
    storage().deleteSnapshot(namespace(), disk + "-bad");
    storage().deleteClaim(namespace(), disk);
  }
}
