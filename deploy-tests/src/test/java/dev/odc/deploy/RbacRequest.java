package dev.odc.deploy;

import dev.odc.deploy.RbacTest.Permission;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Maps an HTTP request to the Kubernetes API server onto the RBAC permissions the API server checks
 * for it, the way its request-info resolver does: a GET on a name is {@code get}, on a collection
 * {@code list}, with {@code watch=true} {@code watch}; POST {@code create}; PUT {@code update};
 * PATCH {@code patch}; DELETE on a name {@code delete}, on a collection {@code deletecollection}.
 * The streaming subresources (exec, attach, portforward) opened over a websocket are a GET: API
 * servers before 1.30 check {@code get} on the subresource, newer ones also {@code create}, so both
 * are required.
 */
final class RbacRequest {
  private static final Set<String> STREAMING = Set.of("exec", "attach", "portforward");

  private RbacRequest() {}

  /**
   * @param reservationsNamespace the namespace whose requests map to the "reservations" scope
   * @return the permissions; a request in any other namespace maps to scope {@code
   *     namespace:<name>}, which no binding of the chart grants; a non-resource URL (discovery,
   *     such as /version) maps to scope "nonResource"
   */
  static List<Permission> permissions(String method, URI uri, String reservationsNamespace) {
    String path = uri.getRawPath();
    boolean watch =
        uri.getRawQuery() != null
            && Arrays.asList(uri.getRawQuery().split("&")).contains("watch=true");
    List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    List<String> rest;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "";
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size());
    } else {
      return List.of(new Permission("nonResource", "", path, method.toLowerCase()));
    }
    if (rest.isEmpty()) {
      return List.of(new Permission("nonResource", "", path, method.toLowerCase()));
    }
    String scope = "cluster";
    if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
      String namespace = rest.get(1);
      scope = namespace.equals(reservationsNamespace) ? "reservations" : "namespace:" + namespace;
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0);
    boolean named = rest.size() >= 2;
    String subresource = rest.size() >= 3 ? rest.get(2) : null;
    String rbacResource = subresource == null ? resource : resource + "/" + subresource;
    if (subresource != null && STREAMING.contains(subresource) && method.equals("GET")) {
      return List.of(
          new Permission(scope, group, rbacResource, "get"),
          new Permission(scope, group, rbacResource, "create"));
    }
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new AssertionError("unexpected HTTP method " + method + " " + uri);
        };
    return List.of(new Permission(scope, group, rbacResource, verb));
  }
}
