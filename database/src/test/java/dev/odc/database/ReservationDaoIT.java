package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.core.api.Page;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReservationDaoIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private ReservationDao dao;
  private User alice;
  private User bob;
  private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    dao = db.jdbi().onDemand(ReservationDao.class);
    alice = TestData.user(db.jdbi(), "alice");
    bob = TestData.user(db.jdbi(), "bob");
  }

  private Reservation insert(
      UUID id, User user, String gpuType, int gpus, ReservationStatus status, Instant createdAt) {
    Reservation r =
        new Reservation(
            id,
            user.id(),
            user.username(),
            "r" + Math.abs(id.hashCode() % 1000),
            gpuType,
            gpus,
            1,
            "img",
            2,
            null,
            Map.of(),
            status,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            createdAt,
            null,
            status == ReservationStatus.ACTIVE ? createdAt.plus(2, ChronoUnit.HOURS) : null,
            null,
            List.of(),
            List.of(),
            0);
    dao.insert(r);
    return r;
  }

  private Reservation insert(User user, ReservationStatus status, int minute) {
    return insert(UUID.randomUUID(), user, "h100", 1, status, t0.plus(minute, ChronoUnit.MINUTES));
  }

  @Test
  void insertAndFindRoundTripEveryField() {
    UUID id = UUID.randomUUID();
    Reservation r =
        new Reservation(
            id,
            alice.id(),
            "alice",
            "train",
            "h100",
            4,
            2,
            "pytorch:2",
            1.5,
            "home",
            Map.of("team", "ml"),
            ReservationStatus.QUEUED,
            null,
            2,
            t0.plusSeconds(600),
            "odc-reservations",
            "pod",
            "node",
            "host",
            30022,
            t0,
            null,
            null,
            null,
            List.of(30, 15),
            List.of(),
            0);
    dao.insert(r);
    assertThat(dao.findById(id)).contains(r);
    assertThat(dao.findById(UUID.randomUUID())).isEmpty();
  }

  @Test
  void keysetPagesWalkEveryRowOnceNewestFirst() {
    List<Reservation> all = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      all.add(insert(alice, ReservationStatus.PENDING, i));
    }
    // equal creation times are ordered by id, so no row is skipped or repeated at a page edge
    for (int i = 0; i < 3; i++) {
      all.add(insert(alice, ReservationStatus.PENDING, 5));
    }
    insert(bob, ReservationStatus.PENDING, 3);

    List<UUID> walked = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String cursor = null;
    do {
      Page<Reservation> page = dao.list(alice.id(), null, cursor, 4);
      page.items().forEach(r -> walked.add(r.id()));
      sizes.add(page.items().size());
      cursor = page.nextCursor();
    } while (cursor != null);

    assertThat(sizes).containsExactly(4, 4, 4, 2);
    List<UUID> expected =
        all.stream()
            .sorted(
                (a, b) ->
                    a.createdAt().equals(b.createdAt())
                        ? b.id().compareTo(a.id())
                        : b.createdAt().compareTo(a.createdAt()))
            .map(Reservation::id)
            .toList();
    assertThat(walked).doesNotHaveDuplicates().hasSize(14);
    assertThat(walked.getFirst()).isEqualTo(expected.getFirst());
    assertThat(walked.getLast()).isEqualTo(all.getFirst().id());
    assertThat(dao.list(null, null, null, 100).items()).hasSize(15);
  }

  @Test
  void listFiltersByStatus() {
    insert(alice, ReservationStatus.PENDING, 1);
    insert(alice, ReservationStatus.ACTIVE, 2);
    insert(bob, ReservationStatus.ACTIVE, 3);
    insert(bob, ReservationStatus.FAILED, 4);

    assertThat(dao.list(null, Set.of(ReservationStatus.ACTIVE), null, 10).items()).hasSize(2);
    assertThat(
            dao.list(bob.id(), Set.of(ReservationStatus.ACTIVE, ReservationStatus.FAILED), null, 10)
                .items())
        .hasSize(2);
    assertThat(dao.list(alice.id(), Set.of(ReservationStatus.FAILED), null, 10).items()).isEmpty();
    assertThatThrownBy(() -> dao.list(null, null, "garbage!", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cursor is invalid");
    assertThatThrownBy(() -> dao.list(null, null, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void findByIdPrefixFindsUniquePrefixesAndRefusesAmbiguousOnes() {
    UUID a = UUID.fromString("abcdef01-0000-4000-8000-000000000001");
    UUID b = UUID.fromString("abcdef01-0000-4000-8000-000000000002");
    UUID c = UUID.fromString("12345678-0000-4000-8000-000000000003");
    insert(a, alice, "h100", 1, ReservationStatus.PENDING, t0);
    insert(b, alice, "h100", 1, ReservationStatus.PENDING, t0);
    insert(c, alice, "h100", 1, ReservationStatus.PENDING, t0);

    assertThat(dao.findByIdPrefix("12345678")).get().extracting(Reservation::id).isEqualTo(c);
    assertThat(dao.findByIdPrefix("ABCDEF01-0000-4000-8000-000000000002"))
        .get()
        .extracting(Reservation::id)
        .isEqualTo(b);
    assertThat(dao.findByIdPrefix("99999999")).isEmpty();
    assertThatThrownBy(() -> dao.findByIdPrefix("abcdef01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ambiguous");
    assertThatThrownBy(() -> dao.findByIdPrefix("abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 8");
    assertThatThrownBy(() -> dao.findByIdPrefix("abcdef0%"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void liveGpusAndQueueOrderCountOnlyLiveReservations() {
    Reservation active =
        insert(UUID.randomUUID(), alice, "h100", 2, ReservationStatus.ACTIVE, t0.plusSeconds(1));
    Reservation queued =
        insert(UUID.randomUUID(), alice, "h100", 4, ReservationStatus.QUEUED, t0.plusSeconds(2));
    insert(UUID.randomUUID(), alice, "h100", 8, ReservationStatus.CANCELLED, t0.plusSeconds(3));
    Reservation first = insert(UUID.randomUUID(), bob, "h100", 1, ReservationStatus.PENDING, t0);
    insert(UUID.randomUUID(), bob, "a10", 1, ReservationStatus.PENDING, t0);
    Reservation preparing =
        insert(UUID.randomUUID(), bob, "h100", 1, ReservationStatus.PREPARING, t0.plusSeconds(4));

    assertThat(dao.liveGpusOfUser(alice.id())).isEqualTo(6);
    assertThat(dao.liveGpusOfUser(UUID.randomUUID())).isZero();
    List<QueueEntry> starting =
        db.jdbi().withHandle(h -> ReservationRows.listStartingByGpuType(h, "h100"));
    assertThat(starting).containsExactly(entry(first), entry(queued), entry(preparing));
    assertThat(dao.listActiveByGpuType("h100"))
        .extracting(Reservation::id)
        .containsExactly(active.id());
    assertThat(dao.listActiveByGpuType("a10")).isEmpty();
    assertThat(dao.listLive()).hasSize(5);
  }

  @Test
  void expiringActiveReservationsAreListedSoonestFirst() {
    Reservation soon = insert(alice, ReservationStatus.ACTIVE, 0);
    Reservation later = insert(bob, ReservationStatus.ACTIVE, 30);
    insert(bob, ReservationStatus.PENDING, 0);

    assertThat(dao.listActiveExpiringBefore(t0.plus(2, ChronoUnit.HOURS).plusSeconds(1)))
        .extracting(Reservation::id)
        .containsExactly(soon.id());
    assertThat(dao.listActiveExpiringBefore(t0.plus(1, ChronoUnit.DAYS)))
        .extracting(Reservation::id)
        .containsExactly(soon.id(), later.id());
  }

  @Test
  void aLeaseHasOneHolderUntilItRunsOut() {
    Reservation r = insert(alice, ReservationStatus.PENDING, 0);

    assertThat(dao.acquireLease(r.id(), "processor-1", Duration.ofMinutes(5))).isTrue();
    assertThat(dao.acquireLease(r.id(), "processor-2", Duration.ofMinutes(5))).isFalse();
    assertThat(dao.acquireLease(r.id(), "processor-1", Duration.ofMinutes(5))).isTrue();
    assertThat(dao.leaseHolder(r.id())).contains("processor-1");
    assertThat(dao.releaseLease(r.id(), "processor-2")).isFalse();
    assertThat(dao.releaseLease(r.id(), "processor-1")).isTrue();
    assertThat(dao.leaseHolder(r.id())).isEmpty();

    // a lease that ran out can be taken over, and shows up for the reaper
    db.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "update reservations set lease_holder = 'dead', lease_expires_at = now() - interval '1 minute' where id = ?",
                    r.id()));
    assertThat(dao.listWithExpiredLease()).extracting(Reservation::id).containsExactly(r.id());
    assertThat(dao.acquireLease(r.id(), "processor-2", Duration.ofMinutes(5))).isTrue();
    assertThat(dao.listWithExpiredLease()).isEmpty();
    assertThat(dao.findById(r.id()).orElseThrow().version()).isZero();
    assertThatThrownBy(() -> dao.acquireLease(r.id(), " ", Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSchemaRejectsWhatTheRecordsWouldReject() {
    assertThatThrownBy(
            () ->
                db.jdbi()
                    .useHandle(
                        h ->
                            h.execute(
                                "insert into reservations (id, user_id, username, name, gpu_type, gpu_count, hours, status)"
                                    + " values (gen_random_uuid(), ?, 'alice', 'x', 'h100', -1, 1, 'PENDING')",
                                alice.id())))
        .hasMessageContaining("gpu_count");
    assertThatThrownBy(
            () ->
                db.jdbi()
                    .useHandle(
                        h ->
                            h.execute(
                                "insert into reservations (id, user_id, username, name, gpu_type, gpu_count, hours, status)"
                                    + " values (gen_random_uuid(), ?, 'alice', 'x', 'h100', 1, 1, 'SLEEPING')",
                                alice.id())))
        .hasMessageContaining("status");
  }

  private static QueueEntry entry(Reservation r) {
    return new QueueEntry(
        r.id(), r.userId(), r.status(), r.gpuCount(), r.nodeCount(), r.createdAt(), r.version());
  }
}
