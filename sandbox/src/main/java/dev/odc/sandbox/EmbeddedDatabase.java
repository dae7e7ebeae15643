package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL for the sandbox, embedded (zonky) with its data directory kept between runs, so a
 * restarted sandbox still has its reservations, disks and audit log.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  static final String DATABASE = "odc";
  static final String USER = "postgres";

  private final EmbeddedPostgres postgres;
  private final DatabaseUrl url;

  private EmbeddedDatabase(EmbeddedPostgres postgres, DatabaseUrl url) {
    this.postgres = postgres;
    this.url = url;
  }

  /**
   * Starts PostgreSQL on {@code dataDir} (initialised on first use, reused afterwards) and makes
   * sure the {@value #DATABASE} database exists.
   *
   * @param port the port to listen on, 0 for any free one
   */
  static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    requireNonNull(dataDir, "dataDir is null");
    Files.createDirectories(dataDir);
    boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            // The sandbox's own shutdown hook stops PostgreSQL after the services that use it.
            .setRegisterShutdownHook(false)
            .setServerConfig("max_connections", "200")
            .setServerConfig("fsync", "on");
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres;
    try {
      postgres = builder.start();
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "cannot start PostgreSQL in "
              + dataDir
              + " (is another sandbox using this --data-dir?): "
              + e.getMessage(),
          e);
    }
    try {
      createDatabaseIfAbsent(postgres);
    } catch (SQLException e) {
      postgres.close();
      throw new IOException("cannot create the " + DATABASE + " database: " + e.getMessage(), e);
    }
    log.info(
        "PostgreSQL on port {} with data in {} ({})",
        postgres.getPort(),
        dataDir,
        fresh ? "new" : "kept from the last run");
    DatabaseUrl url =
        new DatabaseUrl(
            "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE, USER, "");
    return new EmbeddedDatabase(postgres, url);
  }

  private static void createDatabaseIfAbsent(EmbeddedPostgres postgres) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement create = c.createStatement()) {
        create.execute("CREATE DATABASE " + DATABASE);
      }
    }
  }

  DatabaseUrl url() {
    return url;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
