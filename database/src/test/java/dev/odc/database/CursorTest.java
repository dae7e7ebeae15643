package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CursorTest {
  @Test
  void roundTripsWithMicrosecondPrecision() {
    Cursor c = new Cursor(Instant.parse("2026-11-22T08:00:00.123456Z"), UUID.randomUUID());
    assertThat(Cursor.decode(c.encode())).isEqualTo(c);
    Cursor beforeEpoch = new Cursor(Instant.parse("1969-12-31T23:59:59.5Z"), UUID.randomUUID());
    assertThat(Cursor.decode(beforeEpoch.encode())).isEqualTo(beforeEpoch);
    assertThat(c.encode()).doesNotContain("/", "+", "=");
  }

  @Test
  void rejectsAnythingElse() {
    assertThat(Cursor.decodeNullable(null)).isNull();
    assertThat(Cursor.decodeNullable("")).isNull();
    for (String bad : new String[] {"x", "!!!", "MTIz", "MTIzL25vdC1hLXV1aWQ"}) {
      assertThatThrownBy(() -> Cursor.decode(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cursor is invalid");
    }
  }
}
