package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.database.testing.PostgresExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  @Test
  void migrationsCreateTheTablesAndQueues() {
    List<String> tables =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "select tablename from pg_tables where schemaname = 'public' order by 1")
                        .mapTo(String.class)
                        .list());
    assertThat(tables)
        .contains(
            "users",
            "api_keys",
            "gpu_types",
            "reservations",
            "disks",
            "disk_snapshots",
            "audit_log");
    List<String> queues =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery("select queue_name from pgmq.list_queues()")
                        .mapTo(String.class)
                        .list());
    assertThat(queues).contains("disk_operations", "reservations");
  }

  @Test
  void migrateIsIdempotent() {
    assertThat(Database.migrate(db.dataSource())).isZero();
  }
}
