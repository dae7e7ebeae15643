package dev.odc.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odc.database.pgmq.Pgmq;
import dev.odc.database.pgmq.QueueMessage;
import dev.odc.database.testing.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PGMQ migration keeps a pgmq that is already installed (as PGMQ's SQL-only install would leave
 * it) instead of installing over it, and the queues migration then uses that one.
 */
class PgmqInstallIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  @Test
  void anExistingPgmqIsKeptAndUsed() throws Exception {
    String database = "odc_preinstalled_" + ProcessHandle.current().pid();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("drop database if exists " + database);
      st.execute("create database " + database);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(db.jdbcUrl());
    ds.setDatabaseName(database);
    try {
      // pgmq is there before ODC's migrations run, with a marker to tell it from a reinstall
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        st.execute(resource("db/migration/V2__pgmq.sql"));
        st.execute("comment on schema pgmq is 'installed before ODC'");
      }

      // every migration runs, V2 included: it finds pgmq there and leaves it alone
      assertThat(Database.migrate(ds)).isEqualTo(migrationCount());

      Jdbi jdbi = Database.jdbi(ds);
      String comment =
          jdbi.withHandle(
              h ->
                  h.createQuery("select obj_description('pgmq'::regnamespace, 'pg_namespace')")
                      .mapTo(String.class)
                      .one());
      assertThat(comment).isEqualTo("installed before ODC");
      Pgmq pgmq = new Pgmq(jdbi);
      long id = pgmq.send("reservations", Map.of("k", "v"));
      List<QueueMessage<JsonNode>> read = pgmq.readJson("reservations", Duration.ofSeconds(5), 1);
      assertThat(read).extracting(QueueMessage::msgId).containsExactly(id);
      assertThat(read.getFirst().message().get("k").asText()).isEqualTo("v");
    } finally {
      try (Connection c = db.dataSource().getConnection();
          Statement st = c.createStatement()) {
        st.execute("drop database if exists " + database + " with (force)");
      } catch (SQLException e) {
        // the server is per-JVM and goes away with it
      }
    }
  }

  /** The migrations in database/schema (the module's folder, the tests' working directory). */
  private static String resource(String name) throws IOException {
    try (InputStream in = PgmqInstallIT.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The migrations in the schema directory (the module's working directory is its root). */
  private static long migrationCount() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("schema"))) {
      return files.filter(f -> f.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
    }
  }
}
