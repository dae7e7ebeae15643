package dev.odc.api.errors;

import ch.qos.logback.access.common.spi.IAccessEvent;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.logging.common.AbstractAppenderFactory;
import io.dropwizard.logging.common.AppenderFactory;
import io.dropwizard.request.logging.LogbackAccessRequestLogFactory;

/**
 * The request log's default line without the query string: whatever a client puts there (a token,
 * however often it is told not to) never reaches the log. An operator's own {@code logFormat} is
 * left alone.
 */
public final class RequestLogs {
  /** Dropwizard's default line, with the path ({@code %U}) in place of the request line. */
  public static final String FORMAT =
      "%h %l %u [%t{dd/MMM/yyyy:HH:mm:ss.SSS Z}] \"%m %U %H\" %s %b \"%i{User-Agent}\" %D";

  private RequestLogs() {}

  public static void withoutQueryStrings(Configuration config) {
    if (!(config.getServerFactory() instanceof AbstractServerFactory server)
        || !(server.getRequestLogFactory() instanceof LogbackAccessRequestLogFactory log)) {
      return;
    }
    for (AppenderFactory<IAccessEvent> appender : log.getAppenders()) {
      if (appender instanceof AbstractAppenderFactory<IAccessEvent> a && a.getLogFormat() == null) {
        a.setLogFormat(FORMAT);
      }
    }
  }
}
