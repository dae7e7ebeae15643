package dev.odc.cli;

import dev.odc.database.testing.PostgresExtension;
import java.sql.SQLException;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/** The servers behind the real api-service in the CLI's integration tests. */
final class ApiTestServers {
  private ApiTestServers() {}

  /** A clean database; its server starts on first use and stays for the JVM. */
  static PostgresExtension cleanDatabase() {
    PostgresExtension db = new PostgresExtension();
    try {
      db.clean();
    } catch (SQLException e) {
      throw new IllegalStateException("test database cannot be cleaned", e);
    }
    return db;
  }

  static MockOAuth2Server startedOidc() {
    MockOAuth2Server server = new MockOAuth2Server();
    server.start();
    return server;
  }
}
