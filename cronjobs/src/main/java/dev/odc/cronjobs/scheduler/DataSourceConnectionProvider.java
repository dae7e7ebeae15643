package dev.odc.cronjobs.scheduler;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.quartz.utils.ConnectionProvider;

/**
 * Gives Quartz's JDBC job store connections from the application's pooled {@link DataSource}, so
 * Quartz needs no pool of its own. The pool belongs to the application: shutting Quartz down does
 * not close it.
 */
final class DataSourceConnectionProvider implements ConnectionProvider {
  private final DataSource dataSource;

  DataSourceConnectionProvider(DataSource dataSource) {
    this.dataSource = requireNonNull(dataSource, "dataSource is null");
  }

  @Override
  public Connection getConnection() throws SQLException {
    return dataSource.getConnection();
  }

  @Override
  public void shutdown() {
    // The DataSource is managed by the application's lifecycle, not by Quartz.
  }

  @Override
  public void initialize() {
    // Nothing to set up: the DataSource is ready when it is handed over.
  }
}
