package dev.odc.api.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odc.database.testing.PostgresExtension;
import io.dropwizard.jdbi3.NamePrependingTemplateEngine;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CachedNameTemplateEngine} sends PostgreSQL the same SQL text as Dropwizard's
 * name-prepending engine, keeps {@code <attribute>} templates working, and parses each SQL text
 * once.
 */
class CachedNameTemplateEngineIT {
  @RegisterExtension static final PostgresExtension DB = new PostgresExtension();

  public interface Probe {
    @SqlQuery("select :x + 1")
    int plusOne(@Bind("x") int x);

    @SqlQuery("select <column> from (select 7 as seven, 8 as eight) t")
    int pick(@Define("column") String column);
  }

  /** Counts parses of the default engine. */
  static final class CountingEngine implements TemplateEngine.Parsing {
    final AtomicInteger parses = new AtomicInteger();
    final DefinedAttributeTemplateEngine delegate = new DefinedAttributeTemplateEngine();

    @Override
    public Optional<Function<StatementContext, String>> parse(
        String template, ConfigRegistry config) {
      parses.incrementAndGet();
      return delegate.parse(template, config);
    }
  }

  Jdbi jdbi;
  final List<String> rendered = new ArrayList<>();

  @BeforeEach
  void setUp() throws SQLException {
    DB.clean();
    jdbi = DB.jdbi();
    jdbi.setSqlLogger(
        new SqlLogger() {
          @Override
          public void logAfterExecution(StatementContext context) {
            rendered.add(context.getRenderedSql());
          }
        });
  }

  List<String> runAll() {
    rendered.clear();
    Probe probe = jdbi.onDemand(Probe.class);
    assertThat(probe.plusOne(41)).isEqualTo(42);
    assertThat(probe.pick("eight")).isEqualTo(8);
    int seven =
        jdbi.withHandle(
            h ->
                h.createQuery("select <column> from (select 7 as seven) t")
                    .define("column", "seven")
                    .mapTo(Integer.class)
                    .one());
    assertThat(seven).isEqualTo(7);
    return List.copyOf(rendered);
  }

  @Test
  void sendsTheSameSqlAsDropwizardsNamePrependingEngine() {
    jdbi.setTemplateEngine(new NamePrependingTemplateEngine(new DefinedAttributeTemplateEngine()));
    List<String> dropwizard = runAll();
    jdbi.setTemplateEngine(new CachedNameTemplateEngine());
    List<String> ours = runAll();

    assertThat(ours).isEqualTo(dropwizard);
    assertThat(ours)
        .containsExactly(
            "/* Probe.plusOne */ select :x + 1",
            "/* Probe.pick */ select eight from (select 7 as seven, 8 as eight) t",
            "select seven from (select 7 as seven) t");
  }

  @Test
  void parsesEachSqlTextOnce() {
    CountingEngine counting = new CountingEngine();
    jdbi.setTemplateEngine(new CachedNameTemplateEngine(counting));
    List<String> first = runAll();
    int afterFirst = counting.parses.get();
    List<String> second = runAll();

    assertThat(afterFirst).isEqualTo(3);
    assertThat(counting.parses.get()).isEqualTo(afterFirst);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void dropwizardsEngineParsesOnEveryStatement() {
    // why CachedNameTemplateEngine exists: the wrapper defeats Jdbi's template cache
    CountingEngine counting = new CountingEngine();
    jdbi.setTemplateEngine(new NamePrependingTemplateEngine(counting));
    runAll();
    runAll();
    assertThat(counting.parses.get()).isEqualTo(6);
  }
}
