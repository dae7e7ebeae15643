package dev.odc.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordsTest {

  @Test
  void claimSpecValidatesAndCopies() {
    Map<String, String> labels = new HashMap<>(Map.of("a", "b"));
    ClaimSpec spec = new ClaimSpec("ns", "home", 5, " ", "", labels, null);
    labels.put("c", "d");
    assertThat(spec.labels()).containsOnlyKeys("a");
    assertThat(spec.storageClassName()).isEmpty();
    assertThat(spec.zoneName()).isEmpty();
    assertThat(spec.restoredFrom("snap-1").snapshotSource()).contains("snap-1");
    assertThatThrownBy(() -> ClaimSpec.of("ns", "home", 0)).hasMessageContaining("sizeGb");
    assertThatThrownBy(() -> ClaimSpec.of("NS", "home", 1)).hasMessageContaining("namespace");
    assertThatThrownBy(() -> ClaimSpec.of("ns", "home", 1).restoredFrom("Bad Name"))
        .hasMessageContaining("fromSnapshot");
    assertThatThrownBy(() -> new ClaimSpec("ns", "home", 1, null, null, Map.of(" ", "x"), null))
        .hasMessageContaining("labels");
  }

  @Test
  void snapshotInfoRoundsRestoreSizeUp() {
    VolumeSnapshotInfo info =
        new VolumeSnapshotInfo(
            "ns",
            "s",
            "c",
            null,
            true,
            10L * 1024 * 1024 * 1024 + 1,
            "content",
            "snap-1",
            null,
            Map.of(),
            null);
    assertThat(info.restoreSizeGb()).contains(11);
    assertThat(info.cloudSnapshotId()).contains("snap-1");
    assertThat(info.failed()).isFalse();
    assertThatThrownBy(
            () ->
                new VolumeSnapshotInfo(
                    "ns", "s", "c", null, false, -1L, null, null, null, null, null))
        .hasMessageContaining("restoreSizeBytes");
  }

  @Test
  void snapshotFilterMatchesTagsAndVolume() {
    CloudSnapshot snap =
        new CloudSnapshot(
            "snap-1",
            "n",
            "vol-1",
            2,
            SnapshotState.COMPLETED,
            "completed",
            Map.of("a", "1", "b", "2"),
            null,
            null);
    assertThat(SnapshotFilter.byTags(Map.of("a", "1")).matches(snap)).isTrue();
    assertThat(SnapshotFilter.byTags(Map.of("a", "2")).matches(snap)).isFalse();
    assertThat(SnapshotFilter.byVolume("vol-1").matches(snap)).isTrue();
    assertThat(SnapshotFilter.byVolume("vol-2").matches(snap)).isFalse();
  }

  @Test
  void requestsRejectBadInput() {
    assertThatThrownBy(() -> VolumeRequest.of("v", "z", 0, Map.of()))
        .hasMessageContaining("sizeGb");
    assertThatThrownBy(() -> VolumeRequest.of("v", "", 1, Map.of())).hasMessageContaining("zone");
    assertThatThrownBy(() -> new SnapshotRequest(" ", "s", null, Map.of()))
        .hasMessageContaining("volumeId");
    assertThatThrownBy(() -> new ObjectLocation("b", "/abs")).hasMessageContaining("key");
    assertThat(new ObjectLocation("b", "k/x").toString()).isEqualTo("b/k/x");
  }

  @Test
  void exceptionsCarryTheirContext() {
    ProviderUnsupportedException unsupported =
        new ProviderUnsupportedException("custom", "putObject");
    assertThat(unsupported).hasMessage("putObject is not supported by the 'custom' provider");
    assertThat(unsupported.resourceId()).isEmpty();
    assertThat(new StorageException("vol-1", "boom").resourceId()).contains("vol-1");
    assertThat(new ProviderTimeoutException("snap-1", "snapshot", Duration.ofSeconds(3)))
        .hasMessageContaining("snap-1")
        .hasMessageContaining("PT3S");
    assertThatThrownBy(
            () -> ProviderConfigurationException.require(" ", "cloud.region", "us-east-1"))
        .isInstanceOf(ProviderConfigurationException.class)
        .hasMessage("cloud.region: is required, for example 'region: us-east-1'");
    assertThat(ClaimPhase.fromKubernetes("Bound")).isEqualTo(ClaimPhase.BOUND);
    assertThat(ClaimPhase.fromKubernetes(null)).isEqualTo(ClaimPhase.PENDING);
    assertThat(ClaimPhase.fromKubernetes("Lost")).isEqualTo(ClaimPhase.LOST);
  }
}
