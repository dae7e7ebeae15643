package dev.odc.sandbox;

import static java.util.Objects.requireNonNull;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the services find PostgreSQL.
 *
 * @param jdbcUrl a {@code jdbc:postgresql:} URL
 * @param user the user, never null
 * @param password the password, empty when the server needs none
 */
record DatabaseUrl(String jdbcUrl, String user, String password) {
  DatabaseUrl {
    requireNonNull(jdbcUrl, "jdbcUrl is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "the database URL must start with jdbc:postgresql: (got " + redact(jdbcUrl) + ")");
    }
  }

  /**
   * Parses {@code --database-url}: a JDBC URL whose user and password may be query parameters
   * ({@code ?user=odc&password=...}), or a {@code postgresql://user:password@host:port/db} URL.
   */
  static DatabaseUrl parse(String url) {
    requireNonNull(url, "url is null");
    String jdbc = url.startsWith("jdbc:") ? url : "jdbc:" + url;
    if (jdbc.startsWith("jdbc:postgres://")) {
      jdbc = "jdbc:postgresql://" + jdbc.substring("jdbc:postgres://".length());
    }
    String user = "postgres";
    String password = "";
    String rest = jdbc.substring("jdbc:postgresql://".length());
    int at = rest.indexOf('@');
    int slash = rest.indexOf('/');
    if (jdbc.startsWith("jdbc:postgresql://") && at >= 0 && (slash < 0 || at < slash)) {
      String userInfo = rest.substring(0, at);
      int colon = userInfo.indexOf(':');
      user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      password = colon < 0 ? "" : userInfo.substring(colon + 1);
      jdbc = "jdbc:postgresql://" + rest.substring(at + 1);
    }
    int query = jdbc.indexOf('?');
    if (query >= 0) {
      StringBuilder kept = new StringBuilder();
      for (String param : jdbc.substring(query + 1).split("&")) {
        if (param.startsWith("user=")) {
          user = param.substring("user=".length());
        } else if (param.startsWith("password=")) {
          password = param.substring("password=".length());
        } else if (!param.isEmpty()) {
          kept.append(kept.isEmpty() ? "?" : "&").append(param);
        }
      }
      jdbc = jdbc.substring(0, query) + kept;
    }
    return new DatabaseUrl(jdbc, user, password);
  }

  /** A plain (unpooled) data source, for the launcher's own few statements. */
  PGSimpleDataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(jdbcUrl);
    ds.setUser(user);
    if (!password.isEmpty()) {
      ds.setPassword(password);
    }
    return ds;
  }

  /** The URL without anything secret, for logs and the banner. */
  String display() {
    return redact(jdbcUrl) + " (user " + user + ")";
  }

  private static String redact(String url) {
    return url.replaceAll("password=[^&]*", "password=***").replaceAll("//[^/@]*@", "//***@");
  }

  @Override
  public String toString() {
    return display();
  }
}
