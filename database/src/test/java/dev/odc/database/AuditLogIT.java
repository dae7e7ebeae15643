package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.AuditEvent;
import dev.odc.core.api.AuditVerification;
import dev.odc.core.api.Page;
import dev.odc.database.testing.PostgresExtension;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuditLogIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private AuditLog audit;
  private AuditDao dao;

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    audit = new AuditLog(db.jdbi());
    dao = db.jdbi().onDemand(AuditDao.class);
  }

  @Test
  void appendChainsEachRowToThePreviousOne() {
    AuditEvent first =
        audit.append(
            "alice", "disk.create", "disk", "d1", AuditEvent.SUCCESS, Map.of("sizeGb", 100));
    AuditEvent second =
        audit.append(
            "system:processor",
            "reservation.status",
            "reservation",
            "r1",
            AuditEvent.SUCCESS,
            Map.of("to", "ACTIVE"));

    assertThat(first.prevHash()).isEqualTo(AuditDao.GENESIS_HASH);
    assertThat(first.hash()).hasSize(64).isNotEqualTo(first.prevHash());
    assertThat(second.prevHash()).isEqualTo(first.hash());
    assertThat(second.id()).isGreaterThan(first.id());
    assertThat(first.details()).containsEntry("sizeGb", 100);
    assertThat(dao.verify()).isEqualTo(new AuditVerification(true, 2, null, null));
  }

  @Test
  void updateDeleteAndTruncateAreRejected() {
    AuditEvent e = audit.append("alice", "disk.create", "disk", "d1", AuditEvent.SUCCESS, Map.of());

    assertThatThrownBy(
            () ->
                db.jdbi()
                    .useHandle(
                        h ->
                            h.execute(
                                "update audit_log set actor = 'mallory' where id = ?", e.id())))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("audit_log is append-only: UPDATE is not allowed");
    assertThatThrownBy(
            () -> db.jdbi().useHandle(h -> h.execute("delete from audit_log where id = ?", e.id())))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("DELETE is not allowed");
    assertThatThrownBy(() -> db.jdbi().useHandle(h -> h.execute("truncate audit_log")))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("TRUNCATE is not allowed");

    assertThat(dao.count()).isEqualTo(1);
    assertThat(dao.verify().intact()).isTrue();
  }

  @Test
  void anAlteredRowIsFoundByTheChainCheck() {
    List<AuditEvent> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(
          audit.append(
              "alice", "disk.create", "disk", "d" + i, AuditEvent.SUCCESS, Map.of("i", i)));
    }
    long victim = rows.get(2).id();

    // what an attacker with superuser rights could do: switch the trigger off and edit a row
    db.jdbi()
        .useTransaction(
            h -> {
              h.execute("alter table audit_log disable trigger audit_log_no_update_delete");
              h.execute("update audit_log set details = '{\"i\": 99}' where id = ?", victim);
              h.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            });

    AuditVerification result = dao.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBrokenId()).isEqualTo(victim);
    assertThat(result.rowsChecked()).isEqualTo(3);
    assertThat(result.reason()).contains("hash does not match its content");
  }

  @Test
  void aRemovedRowIsFoundByTheChainCheck() {
    List<AuditEvent> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      rows.add(audit.append("alice", "disk.delete", "disk", "d" + i, AuditEvent.SUCCESS, Map.of()));
    }
    db.jdbi()
        .useTransaction(
            h -> {
              h.execute("alter table audit_log disable trigger audit_log_no_update_delete");
              h.execute("delete from audit_log where id = ?", rows.get(1).id());
              h.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            });

    AuditVerification result = dao.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBrokenId()).isEqualTo(rows.get(2).id());
    assertThat(result.reason()).contains("prev_hash");
  }

  @Test
  void aRowRecomputedWithAForgedHashBreaksTheNextLink() {
    List<AuditEvent> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rows.add(
          audit.append("alice", "apikey.create", "apikey", "k" + i, AuditEvent.SUCCESS, Map.of()));
    }
    // a careful attacker also recomputes the edited row's hash; the next row still points at the
    // old one
    db.jdbi()
        .useTransaction(
            h -> {
              h.execute("alter table audit_log disable trigger audit_log_no_update_delete");
              h.execute(
                  "update audit_log set actor = 'bob', hash = odc_audit_hash(prev_hash, id, at, 'bob', action,"
                      + " resource_type, resource_id, outcome, details) where id = ?",
                  rows.get(0).id());
              h.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            });
    AuditVerification result = dao.verify();
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBrokenId()).isEqualTo(rows.get(1).id());
  }

  @Test
  void concurrentWritersBuildOneUnbrokenChain() throws Exception {
    int writers = 8;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String actor = "writer" + w;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    audit.append(
                        actor,
                        "disk.create",
                        "disk",
                        actor + "-" + i,
                        AuditEvent.SUCCESS,
                        Map.of("i", i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    AuditVerification result = dao.verify();
    assertThat(result.intact()).as(result.reason()).isTrue();
    assertThat(result.rowsChecked()).isEqualTo(writers * each);
    List<String> prevHashes =
        db.jdbi()
            .withHandle(
                h -> h.createQuery("select prev_hash from audit_log").mapTo(String.class).list());
    assertThat(new HashSet<>(prevHashes)).hasSize(writers * each);
  }

  @Test
  void queryFiltersAndPagesNewestFirst() {
    Instant before = Instant.now();
    for (int i = 0; i < 7; i++) {
      audit.append("alice", "disk.create", "disk", "d" + i, AuditEvent.SUCCESS, Map.of());
    }
    audit.append("bob", "reservation.cancel", "reservation", "r1", AuditEvent.SUCCESS, Map.of());
    audit.append("bob", "reservation.cancel", "reservation", "r2", AuditEvent.DENIED, Map.of());

    Page<AuditEvent> byBob = dao.query(AuditQuery.all().withActor("bob"), null, 10);
    assertThat(byBob.items()).extracting(AuditEvent::resourceId).containsExactly("r2", "r1");
    assertThat(byBob.nextCursor()).isNull();

    assertThat(dao.query(AuditQuery.all().withOutcome(AuditEvent.DENIED), null, 10).items())
        .extracting(AuditEvent::resourceId)
        .containsExactly("r2");
    assertThat(dao.query(AuditQuery.all().withResource("reservation", "r1"), null, 10).items())
        .hasSize(1);
    assertThat(
            dao.query(
                    AuditQuery.all()
                        .withAction("disk.create")
                        .withTimeRange(before, Instant.now().plusSeconds(5)),
                    null,
                    10)
                .items())
        .hasSize(7);
    assertThat(
            dao.query(AuditQuery.all().withTimeRange(before.minusSeconds(60), before), null, 10)
                .items())
        .isEmpty();

    Set<String> seen = new HashSet<>();
    List<Integer> pageSizes = new ArrayList<>();
    String cursor = null;
    do {
      Page<AuditEvent> page = dao.query(AuditQuery.all().withActor("alice"), cursor, 3);
      page.items().forEach(e -> assertThat(seen.add(e.resourceId())).isTrue());
      pageSizes.add(page.items().size());
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(pageSizes).containsExactly(3, 3, 1);
    assertThat(seen).hasSize(7);

    assertThatThrownBy(() -> dao.query(AuditQuery.all(), "not-a-cursor", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cursor is invalid");
    assertThatThrownBy(() -> dao.query(AuditQuery.all(), null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void badRowsAreRejectedByTheDatabase() {
    assertThatThrownBy(() -> audit.append("alice", "disk.create", "disk", "d1", "maybe", Map.of()))
        .isInstanceOf(UnableToExecuteStatementException.class);
    assertThatThrownBy(
            () -> audit.append(" ", "disk.create", "disk", "d1", AuditEvent.SUCCESS, Map.of()))
        .isInstanceOf(UnableToExecuteStatementException.class);
    assertThat(dao.count()).isZero();
  }
}
