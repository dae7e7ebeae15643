package dev.odc.processor.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailureMessagesTest {
  @Test
  void podFailuresReadLikeSentences() {
    Pod pulling =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Pending")
            .addToContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("dev")
                    .withImage("nope:1")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("ImagePullBackOff")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();
    Pod fine = new PodBuilder().withNewStatus().withPhase("Running").endStatus().build();

    assertThat(FailureMessages.failureOf(pulling))
        .hasValueSatisfying(m -> assertThat(m).contains("'nope:1' could not be pulled"));
    assertThat(FailureMessages.failureOf(fine)).isEmpty();
    assertThat(FailureMessages.humanize(Duration.ofMinutes(10))).isEqualTo("10 minutes");
    assertThat(FailureMessages.humanize(Duration.ofSeconds(3))).isEqualTo("3 seconds");
  }
}
