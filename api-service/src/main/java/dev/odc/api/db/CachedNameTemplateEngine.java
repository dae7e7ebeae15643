package dev.odc.api.db;

import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.extension.ExtensionMethod;
import org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.TemplateEngine;

/**
 * Jdbi's default template engine with Dropwizard's {@code /* Dao.method *}{@code /} comment in
 * front of SQL Object statements, like {@code io.dropwizard.jdbi3.NamePrependingTemplateEngine},
 * but parsed once per SQL text. Dropwizard's wrapper implements only {@code render}, so Jdbi's
 * template cache (which caches {@code parse}) never applies and every statement's SQL went through
 * the ANTLR lexer again: the largest single cost of a reserve in a JFR profile.
 */
public final class CachedNameTemplateEngine implements TemplateEngine.Parsing {
  private final TemplateEngine.Parsing delegate;

  public CachedNameTemplateEngine() {
    this(new DefinedAttributeTemplateEngine());
  }

  CachedNameTemplateEngine(TemplateEngine.Parsing delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<Function<StatementContext, String>> parse(
      String template, ConfigRegistry config) {
    return delegate
        .parse(template, config)
        .map(render -> ctx -> withName(render.apply(ctx), ctx.getExtensionMethod()));
  }

  private static String withName(String sql, ExtensionMethod method) {
    if (method == null) {
      return sql;
    }
    StringBuilder out = new StringBuilder(sql.length() + 100).append("/* ");
    String type = method.getType().getSimpleName();
    if (!type.isEmpty()) {
      out.append(type).append('.');
    }
    return out.append(method.getMethod().getName()).append(" */ ").append(sql).toString();
  }
}
