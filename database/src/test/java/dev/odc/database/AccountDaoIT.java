package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.ApiKey;
import dev.odc.core.GpuType;
import dev.odc.core.Role;
import dev.odc.core.User;
import dev.odc.database.testing.PostgresExtension;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Users, API keys and GPU types. */
class AccountDaoIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private UserDao users;
  private ApiKeyDao keys;
  private GpuTypeDao gpuTypes;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    users = db.jdbi().onDemand(UserDao.class);
    keys = db.jdbi().onDemand(ApiKeyDao.class);
    gpuTypes = db.jdbi().onDemand(GpuTypeDao.class);
  }

  @Test
  void upsertKeepsOneUserPerIssuerAndSubject() {
    User first =
        users.upsert(
            new User(
                UUID.randomUUID(), "https://idp", "sub-1", "alice", "a@old", Set.of(), false, now));
    User again =
        users.upsert(
            new User(
                UUID.randomUUID(),
                "https://idp",
                "sub-1",
                "alice",
                "a@new",
                Set.of(Role.ADMIN),
                false,
                now));

    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.email()).isEqualTo("a@new");
    assertThat(again.isAdmin()).isTrue();
    assertThat(users.findByIssuerAndSubject("https://idp", "sub-1")).contains(again);
    assertThat(users.findByUsername("alice")).contains(again);
    assertThat(users.list()).containsExactly(again);

    // another identity may not take the username
    assertThatThrownBy(
            () ->
                users.upsert(
                    new User(
                        UUID.randomUUID(),
                        "https://other",
                        "sub-9",
                        "alice",
                        null,
                        Set.of(),
                        false,
                        now)))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("users_username_key");

    assertThat(users.setDisabled(first.id(), true)).isTrue();
    assertThat(users.setRoles(first.id(), Set.of(Role.USER))).isTrue();
    User changed = users.findById(first.id()).orElseThrow();
    assertThat(changed.disabled()).isTrue();
    assertThat(changed.roles()).containsExactly(Role.USER);
    assertThat(users.setDisabled(UUID.randomUUID(), true)).isFalse();
  }

  @Test
  void apiKeysAreFoundByHashTouchedAndRevoked() {
    User alice =
        users.upsert(
            new User(
                UUID.randomUUID(), "https://idp", "sub-1", "alice", null, Set.of(), false, now));
    ApiKey key =
        new ApiKey(
            UUID.randomUUID(),
            alice.id(),
            "ci",
            "odc_ab12",
            List.of("reservations:write"),
            now,
            now.plus(30, ChronoUnit.DAYS),
            null,
            null);
    String hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    keys.insert(key, hash);

    assertThat(keys.findByHash(hash)).contains(key);
    assertThat(keys.findByHash("0".repeat(64))).isEmpty();
    assertThat(keys.listByUser(alice.id())).containsExactly(key);
    // the key itself is nowhere in the table: only its hash and prefix
    int rows =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select count(*) from api_keys where key_hash = :h and prefix = 'odc_ab12'")
                        .bind("h", hash)
                        .mapTo(Integer.class)
                        .one());
    assertThat(rows).isEqualTo(1);

    Instant used = now.plusSeconds(5);
    assertThat(keys.touchLastUsed(key.id(), used)).isTrue();
    assertThat(keys.findById(key.id()).orElseThrow().lastUsedAt()).isEqualTo(used);

    assertThat(keys.revoke(key.id(), used)).isTrue();
    assertThat(keys.revoke(key.id(), used)).isFalse();
    assertThat(keys.findByHash(hash).orElseThrow().usableAt(used.plusSeconds(1))).isFalse();

    assertThatThrownBy(
            () ->
                keys.insert(
                    new ApiKey(
                        UUID.randomUUID(),
                        alice.id(),
                        "dup",
                        "odc_cd34",
                        List.of(),
                        now,
                        now.plusSeconds(60),
                        null,
                        null),
                    hash))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("api_keys_key_hash_key");
    assertThatThrownBy(() -> keys.insert(key, " ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gpuTypeDefinitionsAndAvailabilityAreWrittenSeparately() {
    gpuTypes.upsertDefinition("h100", "h100-80gb", 8, 192, 2048);
    gpuTypes.upsertDefinition("a10", "a10g", 1, 8, 32);

    assertThat(
            gpuTypes.updateAvailability(
                new GpuType("h100", "h100-80gb", 8, 192, 2048, 16, 9, 7, 0, 7, 2, 1800, now)))
        .isTrue();
    assertThat(
            gpuTypes.updateAvailability(
                new GpuType("nope", "x", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, now)))
        .isFalse();

    // a new definition does not reset the measured availability
    gpuTypes.upsertDefinition("h100", "h100-80gb-v2", 8, 224, 2048);
    GpuType h100 = gpuTypes.find("h100").orElseThrow();
    assertThat(h100.nodeLabelValue()).isEqualTo("h100-80gb-v2");
    assertThat(h100.cpusPerNode()).isEqualTo(224);
    assertThat(h100.totalGpus()).isEqualTo(16);
    assertThat(h100.freeGpus()).isEqualTo(7);
    assertThat(h100.estimatedWaitSeconds()).isEqualTo(1800);
    assertThat(h100.updatedAt()).isEqualTo(now);

    assertThat(gpuTypes.list()).extracting(GpuType::name).containsExactly("a10", "h100");
    assertThat(gpuTypes.delete("a10")).isTrue();
    assertThat(gpuTypes.find("a10")).isEmpty();
    assertThatThrownBy(() -> gpuTypes.upsertDefinition("bad", "x", 0, 1, 1))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("gpus_per_node");
  }
}
