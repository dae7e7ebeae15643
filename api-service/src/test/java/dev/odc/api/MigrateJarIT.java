package dev.odc.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.odc.database.testing.PostgresExtension;
import dev.odc.testing.ServiceJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded api-service jar's {@code migrate} command, run as its own process the way the Helm
 * hook Job runs it: {@code java -jar api-service.jar <migrations.args from values.yaml>}, with a
 * config.yml shaped like the one the chart renders (secrets as environment variables), against a
 * fresh database on the test PostgreSQL.
 */
class MigrateJarIT {
  @RegisterExtension static PostgresExtension db = new PostgresExtension();

  private static final Path JAR =
      Path.of(System.getProperty("odc.serviceJar", "target/api-service.jar")).toAbsolutePath();
  private static final Path REPO =
      Path.of(System.getProperty("odc.repo.root", "..")).toAbsolutePath().normalize();
  private static final String CHART_CONFIG_PATH = "/etc/odc/config.yml";

  @TempDir Path dir;

  @Test
  void migrateAppliesSchemaAndQueuesAndASecondRunIsANoOp() throws Exception {
    String url = db.createDatabase("migrate_it");
    Path config = write("config.yml", chartLikeConfig(""));

    ServiceJar.Run first = migrate(config, env(url));

    assertThat(first.exit()).as(first.output()).isZero();
    assertThat(first.output()).doesNotContain("\tat ");
    List<String> history;
    try (Connection c = connect(url)) {
      assertThat(
              ServiceJar.strings(c, "select tablename from pg_tables where schemaname = 'public'"))
          .contains(
              "users",
              "api_keys",
              "gpu_types",
              "reservations",
              "disks",
              "disk_snapshots",
              "audit_log",
              "flyway_schema_history");
      assertThat(ServiceJar.strings(c, "select queue_name from pgmq.list_queues()"))
          .contains("reservations", "disk_operations");
      history = history(c);
    }
    assertThat(history).isNotEmpty();
    assertThat(first.output()).contains("Database migrations applied: " + history.size());

    ServiceJar.Run second = migrate(config, env(url));

    assertThat(second.exit()).as(second.output()).isZero();
    assertThat(second.output()).contains("nothing to migrate");
    try (Connection c = connect(url)) {
      assertThat(history(c)).isEqualTo(history);
    }
  }

  @Test
  void aMissingEnvironmentVariableIsNamedWithoutAStackTrace() throws Exception {
    String url = db.createDatabase("migrate_it");
    Path config = write("config.yml", chartLikeConfig(""));
    Map<String, String> env = env(url);
    env.remove("ODC_DATABASE_PASSWORD");

    ServiceJar.Run run = migrate(config, env);

    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output())
        .contains("environment variable ODC_DATABASE_PASSWORD is not set")
        .doesNotContain("\tat ");
    try (Connection c = connect(url)) {
      assertThat(
              ServiceJar.strings(c, "select tablename from pg_tables where schemaname = 'public'"))
          .isEmpty();
    }
  }

  @Test
  void aMisspeltKeyIsNamedWithoutAStackTrace() throws Exception {
    String url = db.createDatabase("migrate_it");
    Path config = write("config.yml", chartLikeConfig("migrateOnStrat: false\n"));

    ServiceJar.Run run = migrate(config, env(url));

    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output()).contains("migrateOnStrat").doesNotContain("\tat ");
    try (Connection c = connect(url)) {
      assertThat(
              ServiceJar.strings(c, "select tablename from pg_tables where schemaname = 'public'"))
          .isEmpty();
    }
  }

  @Test
  void anUnreachableDatabaseFailsWithTheReasonAndNoSecret() throws Exception {
    int closedPort = ServiceJar.freePort();
    Path config = write("config.yml", chartLikeConfig(""));
    Map<String, String> env = env("jdbc:postgresql://127.0.0.1:" + closedPort + "/odc");
    env.put("ODC_DATABASE_PASSWORD", "s3cret-never-logged");

    ServiceJar.Run run = migrate(config, env);

    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output())
        .contains("migrate: failed:")
        .contains(String.valueOf(closedPort))
        .doesNotContain("s3cret-never-logged");
  }

  /** {@code java -jar api-service.jar} with the hook Job's arguments from values.yaml. */
  private ServiceJar.Run migrate(Path config, Map<String, String> env) throws Exception {
    List<String> args = new ArrayList<>();
    for (JsonNode arg : values().at("/migrations/args")) {
      args.add(arg.asText());
    }
    assertThat(args).as("migrations.args in values.yaml").contains(CHART_CONFIG_PATH);
    args.replaceAll(a -> a.equals(CHART_CONFIG_PATH) ? config.toString() : a);
    return run(args, env);
  }

  private ServiceJar.Run run(List<String> args, Map<String, String> env) throws Exception {
    return new ServiceJar(JAR, dir).run(args, env);
  }

  /** What the chart passes the hook Job: the database from a Secret, as variables. */
  private static Map<String, String> env(String url) {
    return ServiceJar.chartEnv(url, db.username(), db.password(), "odc-migrate-abcde");
  }

  /** The keys helm/odc/templates/_config.tpl renders for the api-service (default values). */
  private static String chartLikeConfig(String extra) {
    return ServiceJar.chartConfigHead(8080, 8081, 16)
        + """
        oidc:
          enabled: true
          issuer: "https://keycloak.example.com/realms/odc"
          audience: "odc-api"
          clientId: "gpu-dev-cli"
          scopes: ["openid","profile","email","offline_access"]
          usernameClaims: ["preferred_username","email","sub"]
          groupsClaim: "groups"
          adminGroups: ["odc-admins"]
          allowedAlgorithms: [RS256, RS384, RS512, ES256, ES384]
        apiKeys:
          defaultTtl: 30d
          maxTtl: 365d
        aws:
          enabled: false
          allowedAccountIds: []
          allowedArnPatterns: []
        limits:
          defaultDiskSizeGb: 100
          maxConcurrentGpus: 8
          maxDiskSizeGb: 2000
          maxDisks: 5
          maxHoursPerReservation: 24
          maxNodeCount: 8
          maxTotalHours: 72
        gpuTypes:
          - name: a100
            nodeLabelValue: "a100"
            gpusPerNode: 8
            cpusPerNode: 96
            memoryGbPerNode: 1024
        defaultImage: "registry.example.com/odc/devserver:latest"
        migrateOnStart: false
        """
        + extra;
  }

  private static JsonNode values() throws IOException {
    return new ObjectMapper(new YAMLFactory())
        .readTree(REPO.resolve("helm/odc/values.yaml").toFile());
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, db.username(), db.password());
  }

  private static List<String> history(Connection c) throws SQLException {
    return ServiceJar.strings(
        c,
        "select installed_rank || ' ' || coalesce(version, '') || ' ' || coalesce(checksum, 0)"
            + " || ' ' || installed_on from flyway_schema_history order by installed_rank");
  }
}
