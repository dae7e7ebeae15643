package dev.odc.api.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The console's pages. Each is the same HTML shell; {@code console.js} draws the page its path
 * names from the console's JSON calls. Admin pages are refused to non-admins here, on the server.
 */
@Path("/")
@ConsoleSecured
@Produces(MediaType.TEXT_HTML + ";charset=UTF-8")
public class ConsolePages {
  private final String shell = read("/console/index.html");

  @GET
  public String availability() {
    return shell;
  }

  @GET
  @Path("reservations")
  public String reservations() {
    return shell;
  }

  @GET
  @Path("disks")
  public String disks() {
    return shell;
  }

  @GET
  @Path("admin/reservations")
  @AdminOnly
  public String allReservations() {
    return shell;
  }

  @GET
  @Path("admin/audit")
  @AdminOnly
  public String audit() {
    return shell;
  }

  @GET
  @Path("admin/users")
  @AdminOnly
  public String users() {
    return shell;
  }

  /** The page a non-admin gets for an admin page. */
  static String forbidden(String username) {
    return page(
        "Admins only",
        "You are signed in as "
            + escape(username)
            + ", who is not an ODC admin. Admins belong to the identity provider's admin group.");
  }

  /** A small page with a title and a sentence, and a way back in. */
  static Response message(Response.Status status, String title, String text) {
    return Response.status(status)
        .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
        .entity(page(title, escape(text)))
        .build();
  }

  private static String page(String title, String html) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + escape(title)
        + " · ODC</title><link rel=\"stylesheet\" href=\"/console/static/console.css\"></head>"
        + "<body><main class=\"message\"><h1>"
        + escape(title)
        + "</h1><p>"
        + html
        + "</p><p><a href=\"/\">ODC console</a> · <a href=\"/login\">Sign in</a></p>"
        + "</main></body></html>";
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  static String read(String resource) {
    try (InputStream in = ConsolePages.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(resource + " cannot be read", e);
    }
  }
}
