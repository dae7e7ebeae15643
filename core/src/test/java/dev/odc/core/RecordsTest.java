package dev.odc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordsTest {
  private static Reservation reservation(String name, int gpus, double hours) {
    return new Reservation(
        UUID.fromString("0a1b2c3d-0000-0000-0000-000000000001"),
        UUID.randomUUID(),
        "alice",
        name,
        "h100",
        gpus,
        1,
        null,
        hours,
        null,
        Map.of("team", "ml"),
        ReservationStatus.PENDING,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Instant.now(),
        null,
        null,
        null,
        null,
        null,
        0);
  }

  @Test
  void validReservationKeepsItsValues() {
    Reservation r = reservation("train-1", 2, 1.5);
    assertThat(r.shortId()).isEqualTo("0a1b2c3d");
    assertThat(r.totalGpus()).isEqualTo(2);
    assertThat(r.labels()).containsEntry("team", "ml");
    assertThat(r.statusHistory()).isEmpty();
    assertThat(r.sshCommand()).isNull();
  }

  @Test
  void negativeGpuCountNamesTheField() {
    assertThatThrownBy(() -> reservation("x", -1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpuCount");
  }

  @Test
  void nonPositiveHoursNameTheField() {
    assertThatThrownBy(() -> reservation("x", 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hours");
    assertThatThrownBy(() -> reservation("x", 1, Double.NaN)).hasMessageContaining("hours");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "  ", "Upper", "1starts-with-digit", "ends-", "has_underscore", "a.b"})
  void invalidNamesAreRejected(String name) {
    assertThatThrownBy(() -> reservation(name, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
  }

  @Test
  void nameLengthIsBounded() {
    assertThat(Checks.isValidName("a".repeat(Checks.MAX_NAME_LENGTH))).isTrue();
    assertThat(Checks.isValidName("a".repeat(Checks.MAX_NAME_LENGTH + 1))).isFalse();
  }

  @Test
  void blankDiskNameIsRejected() {
    assertThatThrownBy(
            () ->
                new Disk(
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    " ",
                    10,
                    null,
                    null,
                    null,
                    null,
                    null,
                    false,
                    Instant.now(),
                    null))
        .hasMessage("name must not be blank");
  }

  @Test
  void gpuTypeRejectsNegativeCounts() {
    assertThatThrownBy(
            () -> new GpuType("h100", "h100", 8, 96, 1024, -8, 0, 0, 0, 0, 0, 0, Instant.now()))
        .hasMessageContaining("totalGpus");
  }

  @Test
  void collectionsAreCopied() {
    List<String> scopes = new java.util.ArrayList<>(List.of("reservations"));
    ApiKey key =
        new ApiKey(
            UUID.randomUUID(),
            UUID.randomUUID(),
            "ci",
            "odc_abcd",
            scopes,
            Instant.now(),
            Instant.now().plusSeconds(60),
            null,
            null);
    scopes.add("admin");
    assertThat(key.scopes()).containsExactly("reservations");
    assertThat(key.usableAt(Instant.now())).isTrue();
    assertThat(key.usableAt(Instant.now().plusSeconds(120))).isFalse();
  }
}
