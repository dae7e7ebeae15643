package dev.odc.core;

import static dev.odc.core.ReservationStatus.ACTIVE;
import static dev.odc.core.ReservationStatus.CANCELLED;
import static dev.odc.core.ReservationStatus.EXPIRED;
import static dev.odc.core.ReservationStatus.FAILED;
import static dev.odc.core.ReservationStatus.PENDING;
import static dev.odc.core.ReservationStatus.PREPARING;
import static dev.odc.core.ReservationStatus.QUEUED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReservationStatusTest {
  @Test
  void happyPathIsAllowed() {
    assertThat(PENDING.canTransitionTo(QUEUED)).isTrue();
    assertThat(QUEUED.canTransitionTo(PREPARING)).isTrue();
    assertThat(PREPARING.canTransitionTo(ACTIVE)).isTrue();
    assertThat(ACTIVE.canTransitionTo(EXPIRED)).isTrue();
    assertThat(ACTIVE.canTransitionTo(CANCELLED)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(
      value = ReservationStatus.class,
      names = {"PENDING", "QUEUED", "PREPARING", "ACTIVE"})
  void everyLiveStateCanBeCancelledOrFail(ReservationStatus status) {
    assertThat(status.isTerminal()).isFalse();
    assertThat(status.canTransitionTo(CANCELLED)).isTrue();
    assertThat(status.canTransitionTo(FAILED)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(
      value = ReservationStatus.class,
      names = {"EXPIRED", "CANCELLED", "FAILED"})
  void terminalStatesNeverChange(ReservationStatus status) {
    assertThat(status.isTerminal()).isTrue();
    assertThat(Arrays.stream(ReservationStatus.values()).filter(status::canTransitionTo)).isEmpty();
    assertThatThrownBy(() -> status.checkTransitionTo(ACTIVE))
        .isInstanceOf(InvalidTransitionException.class)
        .hasMessageContaining(status + " is final");
  }

  @Test
  void skippingStatesIsRejectedWithBothNames() {
    assertThatThrownBy(() -> PENDING.checkTransitionTo(ACTIVE))
        .isInstanceOf(InvalidTransitionException.class)
        .hasMessage("status cannot change from PENDING to ACTIVE");
    assertThat(QUEUED.canTransitionTo(EXPIRED)).isFalse();
    assertThat(ACTIVE.canTransitionTo(PREPARING)).isFalse();
  }
}
