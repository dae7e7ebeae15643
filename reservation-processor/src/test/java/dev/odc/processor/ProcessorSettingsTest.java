package dev.odc.processor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessorSettingsTest {
  @Test
  void settingsRejectNonsense() {
    assertThatThrownBy(() -> ProcessorSettings.defaults("w").withLeaseTtl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaseTtl");
  }
}
