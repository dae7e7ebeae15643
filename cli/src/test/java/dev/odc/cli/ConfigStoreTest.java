package dev.odc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files, permissions, token hygiene and the PKCE transform. */
class ConfigStoreTest {
  @TempDir Path home;

  private ConfigStore store() {
    return new ConfigStore(
        ConfigStore.defaultDir(Map.of("XDG_CONFIG_HOME", home.toString())), Json.newMapper());
  }

  @Test
  void xdgDirectoryAndHomeFallback() {
    assertThat(ConfigStore.defaultDir(Map.of("XDG_CONFIG_HOME", "/x")))
        .isEqualTo(Path.of("/x/gpu-dev"));
    assertThat(ConfigStore.defaultDir(Map.of("HOME", "/h")))
        .isEqualTo(Path.of("/h/.config/gpu-dev"));
  }

  @Test
  void filesAre0600InA0700DirectoryEvenWhenTheDirectoryWasLoose() throws IOException {
    Path dir = home.resolve("gpu-dev");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    ConfigStore store = store();
    store.set("api-url", "https://odc.example.com");
    store.saveTokens(
        new Tokens(
            "https://odc.example.com",
            "iss",
            "cid",
            "https://idp/token",
            "a",
            "r",
            "i",
            Instant.now()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    for (String f : new String[] {ConfigStore.CONFIG_JSON, ConfigStore.TOKENS}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))))
          .isEqualTo("rw-------");
    }
    try (var files = Files.list(dir)) {
      // No temp files are left behind by the atomic writes.
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(ConfigStore.CONFIG_JSON, ConfigStore.TOKENS);
    }
    assertThat(store.setting("api-url")).contains("https://odc.example.com");
    store.set("api-url", "");
    assertThat(store.setting("api-url")).isEmpty();
  }

  @Test
  void aDamagedTokenFileMeansNotLoggedInAndUnknownKeysAreRefused() throws IOException {
    ConfigStore store = store();
    Files.createDirectories(store.dir());
    Files.writeString(store.dir().resolve(ConfigStore.TOKENS), "{not json");
    assertThat(store.tokens()).isEmpty();
    assertThatThrownBy(() -> store.set("colour", "blue"))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("unknown setting 'colour'")
        .extracting(e -> ((CliException) e).exitCode())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void tokensNeverPrintThemselves() {
    Tokens t =
        new Tokens("u", "iss", "cid", "te", "secret-access", "secret-refresh", "secret-id", null);
    assertThat(t.toString()).doesNotContain("secret");
    assertThat(t.expiresWithin(Instant.now(), 60)).isFalse();
    assertThat(t.withAccess("x", null, null, Instant.now()).expiresWithin(Instant.now(), 60))
        .isTrue();
  }

  @Test
  void pkceS256MatchesRfc7636AppendixB() {
    assertThat(Oidc.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assertThat(Oidc.randomToken()).hasSize(43).isNotEqualTo(Oidc.randomToken());
  }

  @Test
  void sinceAcceptsDurationsAndInstants() {
    Instant now = Instant.parse("2026-01-02T00:00:00Z");
    assertThat(Fmt.since("24h", now)).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(Fmt.since("30m", now)).isEqualTo(Instant.parse("2026-01-01T23:30:00Z"));
    assertThat(Fmt.since("2025-12-31T10:00:00Z", now))
        .isEqualTo(Instant.parse("2025-12-31T10:00:00Z"));
    assertThatThrownBy(() -> Fmt.since("soon", now)).isInstanceOf(CliException.class);
  }
}
