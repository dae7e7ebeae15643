package dev.odc.providers.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.providers.SnapshotState;
import dev.odc.providers.VolumeState;
import org.junit.jupiter.api.Test;

class Ec2StatesTest {

  @Test
  void everyVolumeStateTheSdkKnowsIsMapped() {
    assertThat(software.amazon.awssdk.services.ec2.model.VolumeState.knownValues())
        .allSatisfy(
            s ->
                assertThat(Ec2States.VOLUME)
                    .as("EC2 volume state %s", s)
                    .containsKey(s.toString()));
    assertThat(Ec2States.volume("creating")).isEqualTo(VolumeState.CREATING);
    assertThat(Ec2States.volume("available")).isEqualTo(VolumeState.AVAILABLE);
    assertThat(Ec2States.volume("in-use")).isEqualTo(VolumeState.IN_USE);
    assertThat(Ec2States.volume("deleting")).isEqualTo(VolumeState.DELETING);
    assertThat(Ec2States.volume("deleted")).isEqualTo(VolumeState.DELETED);
    assertThat(Ec2States.volume("error")).isEqualTo(VolumeState.ERROR);
    assertThat(Ec2States.volume("optimizing-someday")).isEqualTo(VolumeState.UNKNOWN);
    assertThat(Ec2States.volume(null)).isEqualTo(VolumeState.UNKNOWN);
  }

  @Test
  void everySnapshotStateTheSdkKnowsIsMapped() {
    assertThat(software.amazon.awssdk.services.ec2.model.SnapshotState.knownValues())
        .allSatisfy(
            s ->
                assertThat(Ec2States.SNAPSHOT)
                    .as("EC2 snapshot state %s", s)
                    .containsKey(s.toString()));
    assertThat(Ec2States.snapshot("pending")).isEqualTo(SnapshotState.PENDING);
    assertThat(Ec2States.snapshot("completed")).isEqualTo(SnapshotState.COMPLETED);
    assertThat(Ec2States.snapshot("error")).isEqualTo(SnapshotState.ERROR);
    assertThat(Ec2States.snapshot("recoverable")).isEqualTo(SnapshotState.PENDING);
    assertThat(Ec2States.snapshot("recovering")).isEqualTo(SnapshotState.PENDING);
    assertThat(Ec2States.snapshot("archived-maybe")).isEqualTo(SnapshotState.UNKNOWN);
  }
}
