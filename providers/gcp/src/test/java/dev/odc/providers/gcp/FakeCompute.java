package dev.odc.providers.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small stateful fake of the Compute Engine v1 REST API: zones, zonal disks, global snapshots,
 * labels, zone and global operations. Each operation is reported {@code RUNNING} on its first poll
 * and {@code DONE} on the next, and only then takes effect (the disk or snapshot becomes {@code
 * READY}, or disappears), so the client's operation polling is exercised. Unknown resources get
 * Compute's 404 error shape; a bad zone gets 400.
 */
final class FakeCompute implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PATH =
      Pattern.compile(
          "/compute/v1/projects/([^/]+)/(zones|global|regions)(?:/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?");

  private final HttpServer server;
  private final List<String> zones;
  private final Map<String, Map<String, Object>> disks = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Object>> snapshots = new ConcurrentHashMap<>();
  private final Map<String, PendingOperation> operations = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  final AtomicInteger operationPolls = new AtomicInteger();

  private record PendingOperation(Map<String, Object> body, Runnable effect, AtomicInteger polls) {}

  FakeCompute(List<String> zones) throws IOException {
    this.zones = List.copyOf(zones);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      byte[] in = exchange.getRequestBody().readAllBytes();
      @SuppressWarnings("unchecked")
      Map<String, Object> body =
          in.length == 0 ? Map.of() : JSON.readValue(in, LinkedHashMap.class);
      Matcher m = PATH.matcher(path);
      if (!m.matches()) {
        send(exchange, 404, error(404, "no route " + path));
        return;
      }
      Object[] reply =
          route(
              method, m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), body);
      send(exchange, (int) reply[0], reply[1]);
    } catch (RuntimeException e) {
      send(exchange, 500, error(500, String.valueOf(e)));
    }
  }

  private Object[] route(
      String method,
      String project,
      String scope,
      String a,
      String b,
      String c,
      String d,
      Map<String, Object> body) {
    if (scope.equals("zones") && a == null && method.equals("GET")) {
      List<Map<String, Object>> items = new ArrayList<>();
      for (String z : zones) {
        items.add(Map.of("name", z, "status", "UP"));
      }
      items.add(Map.of("name", "asia-east1-a", "status", "UP"));
      return ok(Map.of("items", items));
    }
    if (scope.equals("zones") && "operations".equals(b)) {
      return operation(c);
    }
    if (scope.equals("global") && "operations".equals(a)) {
      return operation(b);
    }
    if (scope.equals("zones") && "disks".equals(b)) {
      String zone = a;
      if (!zones.contains(zone)) {
        return new Object[] {400, error(400, "Invalid value for field 'zone': '" + zone + "'")};
      }
      if (c == null && method.equals("POST")) {
        String name = (String) body.get("name");
        String key = zone + "/" + name;
        if (disks.containsKey(key)) {
          return new Object[] {409, error(409, "The resource '" + key + "' already exists")};
        }
        Map<String, Object> disk = new LinkedHashMap<>(body);
        disk.put("zone", url(project, "zones/" + zone));
        disk.put("selfLink", url(project, "zones/" + zone + "/disks/" + name));
        disk.put("status", body.containsKey("sourceSnapshot") ? "RESTORING" : "CREATING");
        disk.put("creationTimestamp", OffsetDateTime.now().toString());
        disk.put("labelFingerprint", "fp" + ids.incrementAndGet());
        disk.putIfAbsent("labels", new LinkedHashMap<>());
        if (body.containsKey("sourceSnapshot")) {
          String snap = last((String) body.get("sourceSnapshot"));
          if (!snapshots.containsKey(snap)) {
            return notFound("snapshots/" + snap);
          }
        }
        disks.put(key, disk);
        return ok(zoneOp(project, zone, "insert", key, () -> disk.put("status", "READY")));
      }
      if (c == null && method.equals("GET")) {
        List<Map<String, Object>> items =
            disks.entrySet().stream()
                .filter(e -> e.getKey().startsWith(zone + "/"))
                .map(Map.Entry::getValue)
                .toList();
        return ok(Map.of("items", items));
      }
      String key = zone + "/" + c;
      Map<String, Object> disk = disks.get(key);
      if (disk == null) {
        return notFound("disks/" + c);
      }
      if (d == null && method.equals("GET")) {
        return ok(disk);
      }
      if (d == null && method.equals("DELETE")) {
        disk.put("status", "DELETING");
        return ok(zoneOp(project, zone, "delete", key, () -> disks.remove(key)));
      }
      if ("setLabels".equals(d) && method.equals("POST")) {
        if (!String.valueOf(disk.get("labelFingerprint")).equals(body.get("labelFingerprint"))) {
          return new Object[] {
            412, error(412, "Labels fingerprint either invalid or resource labels have changed")
          };
        }
        return ok(
            zoneOp(
                project,
                zone,
                "setLabels",
                key,
                () -> {
                  disk.put("labels", body.getOrDefault("labels", Map.of()));
                  disk.put("labelFingerprint", "fp" + ids.incrementAndGet());
                }));
      }
    }
    if (scope.equals("global") && "snapshots".equals(a)) {
      if (b == null && method.equals("POST")) {
        String name = (String) body.get("name");
        String source = (String) body.get("sourceDisk");
        Matcher sm =
            Pattern.compile(".*zones/([^/]+)/disks/([^/]+)$").matcher(source == null ? "" : source);
        if (!sm.matches() || !disks.containsKey(sm.group(1) + "/" + sm.group(2))) {
          return notFound("disks/" + source);
        }
        if (snapshots.containsKey(name)) {
          return new Object[] {409, error(409, "The resource '" + name + "' already exists")};
        }
        Map<String, Object> disk = disks.get(sm.group(1) + "/" + sm.group(2));
        Map<String, Object> snapshot = new LinkedHashMap<>(body);
        snapshot.put("status", "CREATING");
        snapshot.put("diskSizeGb", disk.get("sizeGb"));
        snapshot.put("sourceDisk", url(project, "zones/" + sm.group(1) + "/disks/" + sm.group(2)));
        snapshot.put("creationTimestamp", OffsetDateTime.now().toString());
        snapshot.put("labelFingerprint", "fp" + ids.incrementAndGet());
        snapshot.putIfAbsent("labels", new LinkedHashMap<>());
        snapshots.put(name, snapshot);
        return ok(
            globalOp(
                project, "insert", "snapshots/" + name, () -> snapshot.put("status", "READY")));
      }
      if (b == null && method.equals("GET")) {
        return ok(Map.of("items", List.copyOf(snapshots.values())));
      }
      Map<String, Object> snapshot = snapshots.get(b);
      if (snapshot == null) {
        return notFound("snapshots/" + b);
      }
      if (c == null && method.equals("GET")) {
        return ok(snapshot);
      }
      if (c == null && method.equals("DELETE")) {
        snapshot.put("status", "DELETING");
        return ok(globalOp(project, "delete", "snapshots/" + b, () -> snapshots.remove(b)));
      }
      if ("setLabels".equals(c) && method.equals("POST")) {
        return ok(
            globalOp(
                project,
                "setLabels",
                "snapshots/" + b,
                () -> {
                  snapshot.put("labels", body.getOrDefault("labels", Map.of()));
                  snapshot.put("labelFingerprint", "fp" + ids.incrementAndGet());
                }));
      }
    }
    return new Object[] {
      404, error(404, "no route " + method + " " + scope + "/" + a + "/" + b + "/" + c)
    };
  }

  private Map<String, Object> zoneOp(
      String project, String zone, String type, String target, Runnable effect) {
    String name = "operation-" + ids.incrementAndGet();
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("name", name);
    op.put("operationType", type);
    op.put("status", "PENDING");
    op.put("zone", url(project, "zones/" + zone));
    op.put("targetLink", url(project, "zones/" + target));
    op.put("selfLink", url(project, "zones/" + zone + "/operations/" + name));
    operations.put(name, new PendingOperation(op, effect, new AtomicInteger(1)));
    return op;
  }

  private Map<String, Object> globalOp(
      String project, String type, String target, Runnable effect) {
    String name = "operation-" + ids.incrementAndGet();
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("name", name);
    op.put("operationType", type);
    op.put("status", "PENDING");
    op.put("targetLink", url(project, "global/" + target));
    op.put("selfLink", url(project, "global/operations/" + name));
    operations.put(name, new PendingOperation(op, effect, new AtomicInteger(1)));
    return op;
  }

  private Object[] operation(String name) {
    PendingOperation op = operations.get(name);
    if (op == null) {
      return notFound("operations/" + name);
    }
    operationPolls.incrementAndGet();
    synchronized (op) {
      if (op.polls().getAndDecrement() > 0) {
        op.body().put("status", "RUNNING");
      } else if (!"DONE".equals(op.body().get("status"))) {
        op.effect().run();
        op.body().put("status", "DONE");
        op.body().put("progress", 100);
      }
    }
    return ok(op.body());
  }

  private static String url(String project, String rest) {
    return "https://www.googleapis.com/compute/v1/projects/" + project + "/" + rest;
  }

  private static String last(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }

  private static Object[] ok(Object body) {
    return new Object[] {200, body};
  }

  private static Object[] notFound(String what) {
    return new Object[] {404, error(404, "The resource '" + what + "' was not found")};
  }

  private static Map<String, Object> error(int code, String message) {
    return Map.of(
        "error",
        Map.of(
            "code",
            code,
            "message",
            message,
            "errors",
            List.of(
                Map.of(
                    "message",
                    message,
                    "domain",
                    "global",
                    "reason",
                    code == 404 ? "notFound" : "invalid"))));
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
