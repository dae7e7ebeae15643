package dev.odc.deploy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Kubernetes client of its own for one service, whose HTTP interceptor records every request the
 * client sends (plain requests and websocket upgrades such as exec alike), so requests can be
 * attributed to the service that made them.
 */
final class RecordingClient implements Interceptor {

  /** One HTTP request as sent: its method and URI (path and query). */
  record Sent(String method, URI uri) {
    @Override
    public String toString() {
      return method
          + " "
          + uri.getRawPath()
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
  }

  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final List<String> written = new CopyOnWriteArrayList<>();
  private final KubernetesClient client;

  /**
   * @param base the mock server's connection settings
   * @param namespace the client's default namespace, the one a pod's service account token names in
   *     the cluster (the release namespace, not the reservations namespace)
   */
  RecordingClient(Config base, String namespace) {
    Config config = new ConfigBuilder(base).withNamespace(namespace).build();
    this.client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("rbac-recorder", this))
            .build();
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    sent.add(new Sent(request.method(), request.uri()));
    // A create or replace carries a whole object, which a real API server checks against its
    // schema; patches are partial and left out.
    if ((request.method().equals("POST") || request.method().equals("PUT"))
        && request.bodyString() != null
        && request.bodyString().startsWith("{")) {
      written.add(request.bodyString());
    }
  }

  KubernetesClient client() {
    return client;
  }

  List<Sent> sent() {
    return List.copyOf(sent);
  }

  /** The JSON bodies of every create (POST) and replace (PUT) the client sent, in order. */
  List<String> written() {
    return List.copyOf(written);
  }

  void close() {
    client.close();
  }
}
