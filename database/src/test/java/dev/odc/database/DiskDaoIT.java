package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.Disk;
import dev.odc.core.DiskSnapshot;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.User;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.database.testing.TestData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DiskDaoIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private DiskDao disks;
  private DiskSnapshotDao snapshots;
  private ReservationDao reservations;
  private User alice;
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    disks = db.jdbi().onDemand(DiskDao.class);
    snapshots = db.jdbi().onDemand(DiskSnapshotDao.class);
    reservations = db.jdbi().onDemand(ReservationDao.class);
    alice = TestData.user(db.jdbi(), "alice");
  }

  private Disk disk(String name) {
    Disk d =
        new Disk(
            UUID.randomUUID(),
            alice.id(),
            name,
            100,
            "gp3",
            "us-east-1a",
            null,
            null,
            null,
            false,
            now,
            null);
    disks.insert(d);
    return d;
  }

  private UUID reservation() {
    UUID id = UUID.randomUUID();
    reservations.insert(
        new Reservation(
            id,
            alice.id(),
            "alice",
            "r",
            "h100",
            1,
            1,
            null,
            1,
            "home",
            Map.of(),
            ReservationStatus.PENDING,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            now,
            null,
            null,
            null,
            List.of(),
            List.of(),
            0));
    return id;
  }

  @Test
  void namesAreUniquePerUserAmongDisksThatAreNotDeleted() {
    Disk home = disk("home");
    assertThat(disks.findByUserAndName(alice.id(), "home")).contains(home);
    assertThatThrownBy(() -> disk("home"))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("disks_user_name_live_key");

    assertThat(disks.softDelete(home.id(), now)).isTrue();
    assertThat(disks.softDelete(home.id(), now)).isFalse();
    assertThat(disks.findByUserAndName(alice.id(), "home")).isEmpty();
    Disk again = disk("home");
    assertThat(disks.listByUser(alice.id())).containsExactly(again);
  }

  @Test
  void renameKeepsNamesUnique() {
    Disk a = disk("alpha");
    disk("beta");
    assertThat(disks.rename(a.id(), "gamma")).isTrue();
    assertThat(disks.findById(a.id()).orElseThrow().name()).isEqualTo("gamma");
    assertThatThrownBy(() -> disks.rename(a.id(), "beta"))
        .isInstanceOf(UnableToExecuteStatementException.class);
  }

  @Test
  void aDiskInUseCannotBeDeletedOrRenamed() {
    Disk d = disk("home");
    UUID r = reservation();
    assertThat(disks.acquire(d.id(), r)).isTrue();
    assertThat(disks.softDelete(d.id(), now)).isFalse();
    assertThat(disks.rename(d.id(), "other")).isFalse();
    assertThat(disks.findHeldBy(r)).get().extracting(Disk::id).isEqualTo(d.id());
    assertThat(disks.release(d.id(), r)).isTrue();
    assertThat(disks.softDelete(d.id(), now)).isTrue();
  }

  @Test
  void theLockIsIdempotentForItsHolderAndReleasedOnlyByIt() {
    Disk d = disk("home");
    UUID r1 = reservation();
    UUID r2 = reservation();
    assertThat(disks.acquire(d.id(), r1)).isTrue();
    assertThat(disks.acquire(d.id(), r1)).isTrue();
    assertThat(disks.acquire(d.id(), r2)).isFalse();
    assertThat(disks.release(d.id(), r2)).isFalse();
    assertThat(disks.findById(d.id()).orElseThrow().inUseBy()).isEqualTo(r1);
    assertThat(disks.release(d.id(), r1)).isTrue();
    assertThat(disks.acquire(d.id(), r2)).isTrue();
  }

  @Test
  void oneReservationCannotHoldTwoDisks() {
    Disk a = disk("alpha");
    Disk b = disk("beta");
    UUID r = reservation();
    assertThat(disks.acquire(a.id(), r)).isTrue();
    assertThat(disks.acquire(b.id(), r)).isFalse();
  }

  @RepeatedTest(3)
  void eightReservationsRacingForOneDiskGetOneWinner() throws Exception {
    Disk d = disk("home");
    List<UUID> contenders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      contenders.add(reservation());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (UUID r : contenders) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return disks.acquire(d.id(), r);
                }));
      }
      start.countDown();
      List<UUID> winners = new ArrayList<>();
      for (int i = 0; i < contenders.size(); i++) {
        if (results.get(i).get(30, TimeUnit.SECONDS)) {
          winners.add(contenders.get(i));
        }
      }
      assertThat(winners).hasSize(1);
      assertThat(disks.findById(d.id()).orElseThrow().inUseBy()).isEqualTo(winners.getFirst());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void snapshotsRestoreFromTheNewestReadyOneAndRetentionSparesIt() {
    Disk d = disk("home");
    DiskSnapshot old =
        new DiskSnapshot(
            UUID.randomUUID(),
            d.id(),
            "snap-old",
            null,
            null,
            false,
            now.minusSeconds(300),
            now.minusSeconds(60),
            null,
            null);
    DiskSnapshot newest =
        new DiskSnapshot(
            UUID.randomUUID(),
            d.id(),
            "snap-new",
            null,
            null,
            false,
            now.minusSeconds(100),
            now.minusSeconds(30),
            null,
            null);
    DiskSnapshot pending =
        new DiskSnapshot(
            UUID.randomUUID(),
            d.id(),
            "snap-pending",
            null,
            null,
            false,
            now,
            now.plusSeconds(3600),
            null,
            null);
    snapshots.insert(old);
    snapshots.insert(newest);
    snapshots.insert(pending);
    assertThat(snapshots.newestReady(d.id())).isEmpty();

    assertThat(snapshots.markReady(old.id(), "snap-0123", 100)).isTrue();
    assertThat(snapshots.markReady(newest.id(), "snap-4567", 100)).isTrue();
    assertThat(snapshots.newestReady(d.id()))
        .get()
        .satisfies(
            s -> {
              assertThat(s.snapshotName()).isEqualTo("snap-new");
              assertThat(s.cloudSnapshotId()).isEqualTo("snap-4567");
              assertThat(s.sizeGb()).isEqualTo(100);
            });
    assertThat(snapshots.listByDisk(d.id()))
        .extracting(DiskSnapshot::snapshotName)
        .containsExactly("snap-pending", "snap-new", "snap-old");

    // both are past retention, but the newest ready one of a live disk is kept
    assertThat(snapshots.listExpired(now)).extracting(DiskSnapshot::id).containsExactly(old.id());
    assertThat(snapshots.markDeleted(old.id(), now)).isTrue();
    assertThat(snapshots.listExpired(now)).isEmpty();

    // once the disk is deleted its last snapshot may go too
    disks.softDelete(d.id(), now);
    assertThat(snapshots.listExpired(now))
        .extracting(DiskSnapshot::id)
        .containsExactly(newest.id());
    assertThatThrownBy(
            () ->
                snapshots.insert(
                    new DiskSnapshot(
                        UUID.randomUUID(),
                        d.id(),
                        "snap-new",
                        null,
                        null,
                        false,
                        now,
                        null,
                        null,
                        null)))
        .isInstanceOf(UnableToExecuteStatementException.class);
  }
}
