package dev.odc.api.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's scripts and styles from the jar (no CDN: the console works air-gapped), and the
 * signed-out page; no session needed, they hold nothing private.
 */
@Path("/")
public class ConsoleAssets {
  private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,40}\\.(js|css|svg)");
  private static final Map<String, String> TYPES =
      Map.of(
          "js", "text/javascript;charset=UTF-8",
          "css", "text/css;charset=UTF-8",
          "svg", "image/svg+xml");
  private final Map<String, String> cache = new ConcurrentHashMap<>();

  @GET
  @Path("console/static/{name}")
  public Response asset(@PathParam("name") String name) {
    if (!NAME.matcher(name).matches()
        || ConsolePages.class.getResource("/console/static/" + name) == null) {
      throw new NotFoundException("no console asset " + name);
    }
    String body = cache.computeIfAbsent(name, n -> ConsolePages.read("/console/static/" + n));
    String extension = name.substring(name.lastIndexOf('.') + 1);
    return Response.ok(body, TYPES.get(extension)).header("Cache-Control", "no-cache").build();
  }

  @GET
  @Path("signed-out")
  public Response signedOut() {
    return ConsolePages.message(
        Response.Status.OK, "Signed out", "Your ODC console session has ended.");
  }

  @GET
  @Path("favicon.ico")
  public Response favicon() {
    return Response.noContent().type(MediaType.TEXT_PLAIN_TYPE).build();
  }
}
