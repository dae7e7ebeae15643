package dev.odc.providers.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.compute.v1.Disk;
import com.google.cloud.compute.v1.Snapshot;
import dev.odc.providers.SnapshotState;
import dev.odc.providers.VolumeState;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GceStatesTest {

  @Test
  void everyDiskStatusTheClientKnowsIsMapped() {
    assertThat(Arrays.stream(Disk.Status.values()))
        .filteredOn(s -> s != Disk.Status.UNRECOGNIZED && s != Disk.Status.UNDEFINED_STATUS)
        .allSatisfy(
            s -> assertThat(GceStates.VOLUME).as("disk status %s", s).containsKey(s.name()));
    assertThat(GceStates.volume("CREATING", false)).isEqualTo(VolumeState.CREATING);
    assertThat(GceStates.volume("RESTORING", false)).isEqualTo(VolumeState.CREATING);
    assertThat(GceStates.volume("READY", false)).isEqualTo(VolumeState.AVAILABLE);
    assertThat(GceStates.volume("READY", true)).isEqualTo(VolumeState.IN_USE);
    assertThat(GceStates.volume("FAILED", false)).isEqualTo(VolumeState.ERROR);
    assertThat(GceStates.volume("DELETING", false)).isEqualTo(VolumeState.DELETING);
    assertThat(GceStates.volume("UNAVAILABLE", false)).isEqualTo(VolumeState.ERROR);
    assertThat(GceStates.volume("SOMETHING_NEW", false)).isEqualTo(VolumeState.UNKNOWN);
    assertThat(GceStates.volume(null, false)).isEqualTo(VolumeState.UNKNOWN);
  }

  @Test
  void everySnapshotStatusTheClientKnowsIsMapped() {
    assertThat(Arrays.stream(Snapshot.Status.values()))
        .filteredOn(s -> s != Snapshot.Status.UNRECOGNIZED && s != Snapshot.Status.UNDEFINED_STATUS)
        .allSatisfy(
            s -> assertThat(GceStates.SNAPSHOT).as("snapshot status %s", s).containsKey(s.name()));
    assertThat(GceStates.snapshot("CREATING")).isEqualTo(SnapshotState.PENDING);
    assertThat(GceStates.snapshot("UPLOADING")).isEqualTo(SnapshotState.PENDING);
    assertThat(GceStates.snapshot("READY")).isEqualTo(SnapshotState.COMPLETED);
    assertThat(GceStates.snapshot("FAILED")).isEqualTo(SnapshotState.ERROR);
    assertThat(GceStates.snapshot("DELETING")).isEqualTo(SnapshotState.DELETING);
    assertThat(GceStates.snapshot("ARCHIVED_SOMEDAY")).isEqualTo(SnapshotState.UNKNOWN);
  }
}
