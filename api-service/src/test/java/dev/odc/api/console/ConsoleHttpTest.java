package dev.odc.api.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConsoleHttpTest {
  @Test
  void anInsecureCookieIsRefusedForAnythingButLoopbackHttp() {
    ConsoleConfig config = new ConsoleConfig();
    config.secureCookie = false;
    config.publicUrl = "https://odc.example.com";
    assertThatThrownBy(() -> new ConsoleHttp(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
    config.publicUrl = "http://127.0.0.1:7080";
    new ConsoleHttp(config);
  }

  @Test
  void onlyPathsOfThisConsoleAreReturnedToAfterLogin() {
    assertThat(ConsoleAuthResource.safeReturn("/admin/audit?actor=x"))
        .isEqualTo("/admin/audit?actor=x");
    assertThat(ConsoleAuthResource.safeReturn("//evil.example/")).isEqualTo("/");
    assertThat(ConsoleAuthResource.safeReturn("/\\evil.example")).isEqualTo("/");
    assertThat(ConsoleAuthResource.safeReturn("https://evil.example")).isEqualTo("/");
    assertThat(ConsoleAuthResource.safeReturn("/a b")).isEqualTo("/");
    assertThat(ConsoleAuthResource.safeReturn(null)).isEqualTo("/");
  }

  @Test
  void csvCellsAreQuotedAndFormulasDefused() {
    assertThat(AuditCsv.cell("plain")).isEqualTo("\"plain\"");
    assertThat(AuditCsv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(AuditCsv.cell("=HYPERLINK(\"x\")")).startsWith("\"'=");
    assertThat(AuditCsv.cell(null)).isEmpty();
  }
}
