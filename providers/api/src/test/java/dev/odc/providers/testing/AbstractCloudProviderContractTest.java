package dev.odc.providers.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.odc.providers.Capability;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudSnapshot;
import dev.odc.providers.CloudVolume;
import dev.odc.providers.InvalidRequestException;
import dev.odc.providers.ObjectLocation;
import dev.odc.providers.ProviderUnsupportedException;
import dev.odc.providers.ResourceNotFoundException;
import dev.odc.providers.SnapshotFilter;
import dev.odc.providers.SnapshotRequest;
import dev.odc.providers.SnapshotState;
import dev.odc.providers.VolumeRequest;
import dev.odc.providers.VolumeState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link CloudProvider} passes: create, describe, tag and list a volume, take
 * and wait for a snapshot, restore from it, delete everything (twice), and reject bad input with
 * typed errors. Operations outside the provider's {@link CloudProvider#capabilities()} must throw
 * {@link ProviderUnsupportedException}.
 */
public abstract class AbstractCloudProviderContractTest {

  /** The provider under test, talking to a real server or a stateful fake of the cloud API. */
  protected abstract CloudProvider provider();

  /** The expected {@link CloudProvider#name()}. */
  protected abstract String expectedName();

  /** A volume id in the cloud's format that does not exist. */
  protected abstract String missingVolumeId();

  /** A snapshot id in the cloud's format that does not exist. */
  protected abstract String missingSnapshotId();

  /** A bucket the object storage test may write to (created by the subclass when needed). */
  protected String bucket() {
    return "odc-contract";
  }

  private boolean can(Capability capability) {
    return provider().capabilities().contains(capability);
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private String zone() {
    return provider().zones().get(0);
  }

  @Test
  void nameAndZones() {
    assertThat(provider().name()).isEqualTo(expectedName());
    if (can(Capability.ZONES)) {
      assertThat(provider().zones()).isNotEmpty().isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void volumeSnapshotRestoreLifecycle() {
    assumeThat(can(Capability.VOLUMES) && can(Capability.SNAPSHOTS)).isTrue();
    String run = unique("ct");
    Map<String, String> tags = Map.of("odc-test-run", run, "odc-disk", "home");

    CloudVolume volume = provider().createVolume(VolumeRequest.of(run + "-v", zone(), 2, tags));
    assertThat(volume.id()).isNotBlank();
    assertThat(volume.zone()).isEqualTo(zone());
    assertThat(volume.sizeGb()).isEqualTo(2);
    assertThat(volume.tags()).containsAllEntriesOf(tags);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> provider().describeVolume(volume.id()).orElseThrow().state(),
            s -> s == VolumeState.AVAILABLE);

    provider().tagVolume(volume.id(), Map.of("odc-owner", "alice"));
    CloudVolume described = provider().describeVolume(volume.id()).orElseThrow();
    assertThat(described.tags()).containsAllEntriesOf(tags).containsEntry("odc-owner", "alice");
    assertThat(described.attachedTo()).isEmpty();
    assertThat(provider().listVolumes(Map.of("odc-test-run", run, "odc-owner", "alice")))
        .extracting(CloudVolume::id)
        .containsExactly(volume.id());
    assertThat(provider().listVolumes(Map.of("odc-test-run", run, "odc-owner", "bob"))).isEmpty();

    CloudSnapshot started =
        provider().createSnapshot(new SnapshotRequest(volume.id(), run + "-s", "contract", tags));
    assertThat(started.id()).isNotBlank();
    assertThat(started.volumeId()).isEqualTo(volume.id());
    CloudSnapshot done = provider().awaitSnapshot(started.id(), Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(SnapshotState.COMPLETED);
    assertThat(done.sizeGb()).isEqualTo(2);
    provider().tagSnapshot(done.id(), Map.of("odc-kept", "yes"));
    assertThat(provider().describeSnapshot(done.id()).orElseThrow().tags())
        .containsAllEntriesOf(tags)
        .containsEntry("odc-kept", "yes");
    assertThat(provider().listSnapshots(SnapshotFilter.byTags(Map.of("odc-test-run", run))))
        .extracting(CloudSnapshot::id)
        .containsExactly(done.id());
    assertThat(provider().listSnapshots(SnapshotFilter.byVolume(volume.id())))
        .extracting(CloudSnapshot::id)
        .contains(done.id());
    assertThat(
            provider()
                .listSnapshots(new SnapshotFilter(Map.of("odc-test-run", run), missingVolumeId())))
        .isEmpty();

    CloudVolume restored =
        provider()
            .createVolume(VolumeRequest.of(run + "-r", zone(), 4, tags).restoredFrom(done.id()));
    assertThat(restored.snapshotId()).isEqualTo(done.id());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> provider().describeVolume(restored.id()).orElseThrow().state(),
            s -> s == VolumeState.AVAILABLE);
    assertThat(provider().describeVolume(restored.id()).orElseThrow().sizeGb()).isEqualTo(4);
    assertThat(provider().listVolumes(Map.of("odc-test-run", run))).hasSize(2);

    provider().deleteVolume(restored.id());
    provider().deleteVolume(volume.id());
    provider().deleteSnapshot(done.id());
    assertGone(volume.id());
    assertGone(restored.id());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> provider().describeSnapshot(done.id()).isEmpty());
    // deletes are idempotent
    provider().deleteVolume(volume.id());
    provider().deleteSnapshot(done.id());
  }

  private void assertGone(String volumeId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Optional<CloudVolume> v = provider().describeVolume(volumeId);
              return v.isEmpty() || v.get().state() == VolumeState.DELETED;
            });
  }

  @Test
  void missingResources() {
    assumeThat(can(Capability.VOLUMES) && can(Capability.SNAPSHOTS)).isTrue();
    assertThat(provider().describeVolume(missingVolumeId())).isEmpty();
    assertThat(provider().describeSnapshot(missingSnapshotId())).isEmpty();
    provider().deleteVolume(missingVolumeId());
    provider().deleteSnapshot(missingSnapshotId());
    assertThatThrownBy(() -> provider().tagVolume(missingVolumeId(), Map.of("a", "b")))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(missingVolumeId());
    assertThatThrownBy(
            () ->
                provider()
                    .createSnapshot(
                        new SnapshotRequest(missingVolumeId(), unique("nos"), "", Map.of())))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(missingVolumeId());
    assertThatThrownBy(
            () ->
                provider()
                    .createVolume(
                        VolumeRequest.of(unique("nov"), zone(), 1, Map.of())
                            .restoredFrom(missingSnapshotId())))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(missingSnapshotId());
    assertThatThrownBy(() -> provider().awaitSnapshot(missingSnapshotId(), Duration.ofSeconds(2)))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> VolumeRequest.of("zero", "zone-a", 0, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sizeGb");
    assertThatThrownBy(() -> VolumeRequest.of("blank-zone", " ", 1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zone");
    assumeThat(can(Capability.VOLUMES)).isTrue();
    String run = unique("bad");
    assertThatThrownBy(
            () ->
                provider()
                    .createVolume(
                        VolumeRequest.of(run, "atlantis-9z", 1, Map.of("odc-test-run", run))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("atlantis-9z");
    assertThat(provider().listVolumes(Map.of("odc-test-run", run))).isEmpty();
  }

  @Test
  void objectStorageRoundTripOrUnsupported() {
    ObjectLocation location = new ObjectLocation(bucket(), "contract/" + unique("o") + ".txt");
    byte[] content = "home listing\n".getBytes(StandardCharsets.UTF_8);
    if (!can(Capability.OBJECT_STORAGE)) {
      assertUnsupported(() -> provider().putObject(location, content));
      assertUnsupported(() -> provider().getObject(location));
      return;
    }
    provider().putObject(location, content);
    assertThat(provider().getObject(location)).hasValue(content);
    assertThat(provider().getObject(new ObjectLocation(bucket(), "contract/missing"))).isEmpty();
  }

  @Test
  void operationsOutsideCapabilitiesAreTypedUnsupported() {
    if (!can(Capability.VOLUMES)) {
      assertUnsupported(
          () -> provider().createVolume(VolumeRequest.of("v", "zone-a", 1, Map.of())));
      assertUnsupported(() -> provider().describeVolume(missingVolumeId()));
      assertUnsupported(() -> provider().listVolumes(Map.of()));
      assertUnsupported(() -> provider().tagVolume(missingVolumeId(), Map.of("a", "b")));
      assertUnsupported(() -> provider().deleteVolume(missingVolumeId()));
    }
    if (!can(Capability.ATTACH)) {
      assertUnsupported(() -> provider().attachVolume(missingVolumeId(), "i-1", "/dev/sdf"));
      assertUnsupported(() -> provider().detachVolume(missingVolumeId(), "i-1"));
    }
    if (!can(Capability.SNAPSHOTS)) {
      assertUnsupported(
          () -> provider().createSnapshot(new SnapshotRequest("v", "s", "", Map.of())));
      assertUnsupported(() -> provider().describeSnapshot(missingSnapshotId()));
      assertUnsupported(() -> provider().listSnapshots(SnapshotFilter.byTags(Map.of())));
      assertUnsupported(() -> provider().tagSnapshot(missingSnapshotId(), Map.of("a", "b")));
      assertUnsupported(() -> provider().deleteSnapshot(missingSnapshotId()));
      assertUnsupported(() -> provider().awaitSnapshot(missingSnapshotId(), Duration.ofSeconds(1)));
    }
    assertThat(provider().capabilities()).isNotNull();
  }

  private void assertUnsupported(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(ProviderUnsupportedException.class)
        .hasMessageContaining(expectedName())
        .satisfies(
            e ->
                assertThat(((ProviderUnsupportedException) e).provider())
                    .isEqualTo(expectedName()));
  }
}
