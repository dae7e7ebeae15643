package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odc.core.AuditEvent;
import dev.odc.core.api.AuditVerification;
import dev.odc.database.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What someone with the database owner's rights can do to the audit log unseen by the hash chain
 * alone, and what catches it: ids without gaps, an anchor kept outside the database, and a runtime
 * role that owns nothing.
 */
class AuditTamperIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  AuditLog audit;
  AuditDao dao;

  @BeforeEach
  void setUp() throws SQLException {
    db.clean();
    audit = new AuditLog(db.jdbi());
    dao = db.jdbi().onDemand(AuditDao.class);
  }

  List<AuditEvent> append(int n) {
    return java.util.stream.IntStream.range(0, n)
        .mapToObj(
            i ->
                audit.append("alice", "disk.create", "disk", "d" + i, AuditEvent.SUCCESS, Map.of()))
        .toList();
  }

  /** As the table's owner: switch the guard off, run the statements, switch it on again. */
  void asOwner(String... statements) {
    db.jdbi()
        .useTransaction(
            h -> {
              h.execute("alter table audit_log disable trigger audit_log_no_update_delete");
              for (String sql : statements) {
                h.execute(sql);
              }
              h.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            });
  }

  /** Recomputes every hash from row {@code fromId} on, as an attacker who knows the function. */
  void rehashFrom(long fromId) {
    db.jdbi()
        .useTransaction(
            h -> {
              h.execute("alter table audit_log disable trigger audit_log_no_update_delete");
              List<Long> ids =
                  h.createQuery("select id from audit_log where id >= :id order by id")
                      .bind("id", fromId)
                      .mapTo(Long.class)
                      .list();
              for (long id : ids) {
                h.execute(
                    "update audit_log a set prev_hash = coalesce((select p.hash from audit_log p"
                        + " where p.id < a.id order by p.id desc limit 1), repeat('0', 64))"
                        + " where id = ?",
                    id);
                h.execute(
                    "update audit_log set hash = odc_audit_hash(prev_hash, id, at, actor, action,"
                        + " resource_type, resource_id, outcome, details) where id = ?",
                    id);
              }
              h.execute("alter table audit_log enable trigger audit_log_no_update_delete");
            });
  }

  @Test
  void aRolledBackAppendLeavesNoGap() {
    append(2);
    assertThatThrownBy(
            () ->
                db.jdbi()
                    .useTransaction(
                        h -> {
                          AuditLog.append(
                              h, "alice", "disk.create", "disk", "x", AuditEvent.SUCCESS, Map.of());
                          throw new IllegalStateException("the audited change failed");
                        }))
        .isInstanceOf(IllegalStateException.class);
    List<AuditEvent> after = append(1);
    assertThat(after.get(0).id()).isEqualTo(3);
    assertThat(dao.verify().intact()).isTrue();
  }

  @Test
  void aRowRemovedAndTheRestReHashedIsFoundByTheIdGap() {
    List<AuditEvent> rows = append(6);
    long removed = rows.get(2).id();
    asOwner("delete from audit_log where id = " + removed);
    rehashFrom(removed + 1);
    AuditVerification result = dao.verify();
    assertThat(result.intact()).as(result.toString()).isFalse();
    assertThat(result.firstBrokenId()).isEqualTo(removed + 1);
    assertThat(result.reason()).contains("removed");
  }

  @Test
  void removedNewestRowsAreFoundWithAnAnchorTakenBefore() {
    append(5);
    AuditDao.Anchor anchor = dao.head().orElseThrow();
    assertThat(anchor.rows()).isEqualTo(5);
    append(1);
    assertThat(dao.verify(anchor).intact()).isTrue();
    asOwner("delete from audit_log where id >= " + (anchor.id() - 1));
    // the chain that is left is perfect: only the anchor shows what is gone
    assertThat(dao.verify().intact()).isTrue();
    AuditVerification result = dao.verify(anchor);
    assertThat(result.intact()).isFalse();
    assertThat(result.reason()).contains("missing");
  }

  @Test
  void aFullRewriteWithRecomputedHashesIsFoundWithAnAnchor() {
    append(4);
    AuditDao.Anchor anchor = dao.head().orElseThrow();
    asOwner("update audit_log set actor = 'mallory' where id = 2");
    rehashFrom(2);
    assertThat(dao.verify().intact()).isTrue();
    AuditVerification result = dao.verify(anchor);
    assertThat(result.intact()).isFalse();
    assertThat(result.reason()).contains("rewritten");
  }

  @Test
  void theRuntimeRoleCanAppendButNeitherChangeNorUnprotectTheLog() throws Exception {
    String user = "odc_app_" + UUID.randomUUID().toString().substring(0, 8);
    db.jdbi()
        .useHandle(
            h -> {
              h.execute("create role " + user + " login password 'app' in role odc_runtime");
            });
    // the test server's URL names its superuser; connect as the new role only
    String url = db.jdbcUrl().replaceAll("\\?.*$", "");
    PGSimpleDataSource asApp = new PGSimpleDataSource();
    asApp.setURL(url);
    asApp.setUser(user);
    asApp.setPassword("app");
    Jdbi runtime = Database.jdbi(asApp);
    AuditEvent appended =
        new AuditLog(runtime)
            .append("alice", "disk.create", "disk", "d1", AuditEvent.SUCCESS, Map.of());
    assertThat(appended.id()).isPositive();
    String currentUser =
        runtime.withHandle(h -> h.createQuery("select current_user").mapTo(String.class).one());
    assertThat(currentUser).isEqualTo(user);
    try (Connection c = DriverManager.getConnection(url, user, "app");
        Statement st = c.createStatement()) {
      for (String sql :
          List.of(
              "alter table audit_log disable trigger audit_log_no_update_delete",
              "alter table audit_log disable trigger all",
              "delete from audit_log",
              "update audit_log set actor = 'x'",
              "truncate audit_log",
              "update audit_log_meta set gapless_after = 1000000",
              "drop trigger audit_log_chain on audit_log")) {
        assertThatThrownBy(() -> st.execute(sql))
            .as(sql)
            .isInstanceOf(SQLException.class)
            .satisfies(
                e ->
                    assertThat(((SQLException) e).getSQLState())
                        .as(sql + ": " + e.getMessage())
                        .isIn("42501", "0A000"));
      }
      // and what the services do every day still works
      st.execute("select count(*) from reservations");
      st.execute("select * from pgmq.metrics('reservations')");
    }
    assertThat(dao.verify().intact()).isTrue();
    db.jdbi().useHandle(h -> h.execute("drop owned by " + user + "; drop role " + user));
  }

  @Test
  void anAnchorMustBeWellFormed() {
    assertThatThrownBy(() -> new AuditDao.Anchor(0, "0".repeat(64), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuditDao.Anchor(1, "zz", 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
