package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class NewReservationTest {
  private final UUID user = UUID.randomUUID();

  @Test
  void invalidValuesAreRejectedNamingTheField() {
    assertThatThrownBy(
            () -> new NewReservation(user, "alice", "train", "h100", -1, 1, null, 1, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpuCount");
    assertThatThrownBy(
            () -> new NewReservation(user, "alice", "Train!", "h100", 1, 1, null, 1, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(
            () -> new NewReservation(user, "alice", "train", " ", 1, 1, null, 1, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpuType");
    assertThatThrownBy(
            () -> new NewReservation(user, "alice", "train", "h100", 1, 1, null, 0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hours");
    assertThatThrownBy(
            () ->
                new NewReservation(user, "alice", "train", "h100", 1, 1, null, 1, "Bad Disk", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("diskName");
  }
}
