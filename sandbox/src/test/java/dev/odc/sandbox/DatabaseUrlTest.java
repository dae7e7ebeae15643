package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {
  @Test
  void takesUserAndPasswordOutOfTheQuery() {
    DatabaseUrl url =
        DatabaseUrl.parse("jdbc:postgresql://db:5432/odc?user=odc&password=pw&sslmode=require");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/odc?sslmode=require");
    assertThat(url.user()).isEqualTo("odc");
    assertThat(url.password()).isEqualTo("pw");
  }

  @Test
  void acceptsLibpqStyleUrlsWithCredentials() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://odc:pw@db:5432/odc");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/odc");
    assertThat(url.user()).isEqualTo("odc");
    assertThat(url.password()).isEqualTo("pw");
  }

  @Test
  void neverShowsThePassword() {
    DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://db/odc?user=odc&password=topsecret");
    assertThat(url.display()).doesNotContain("topsecret").contains("db/odc").contains("odc");
    assertThat(url.toString()).doesNotContain("topsecret");
  }

  @Test
  void rejectsOtherDatabasesWithoutEchoingSecrets() {
    assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:mysql://u:topsecret@db/odc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql:")
        .hasMessageNotContaining("topsecret");
  }
}
