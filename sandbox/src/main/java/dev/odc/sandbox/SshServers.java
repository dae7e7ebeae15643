package dev.odc.sandbox;

import dev.odc.api.ssh.TunnelTargets;
import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import dev.odc.database.SshKeyDao;
import dev.odc.testing.ssh.LoopbackSshd;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's dev servers are real: each pod of the simulated cluster that runs gets a real sshd
 * on loopback, running as the local user with its own host key, with the reservation's folder as
 * home (standing in for the home volume) and the owner's current SSH keys, re-read every two
 * seconds. The api-service's tunnel reaches port 22 of a server at its sshd and any other port at
 * the same port of this machine.
 */
final class SshServers implements TunnelTargets, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SshServers.class);

  private record Key(UUID reservation, int node) {}

  private record Server(LoopbackSshd sshd, String owner, List<String> keys) {}

  private final KubernetesClient client;
  private final String namespace;
  private final Jdbi jdbi;
  private final Path dir;
  private final Map<Key, Server> servers = new ConcurrentHashMap<>();
  private final ExecutorService starter = Executors.newSingleThreadExecutor();
  private final ScheduledExecutorService keys = Executors.newSingleThreadScheduledExecutor();
  private SharedIndexInformer<Pod> informer;

  SshServers(KubernetesClient client, String namespace, Jdbi jdbi, Path dir) {
    this.client = client;
    this.namespace = namespace;
    this.jdbi = jdbi;
    this.dir = dir;
  }

  /** Whether real servers can be had here (OpenSSH installed). */
  static boolean available() {
    return LoopbackSshd.available();
  }

  void start() {
    informer =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Labels.RESERVATION_ID)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    changed(pod);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    changed(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    key(pod).ifPresent(k -> starter.execute(() -> stop(k)));
                  }
                });
    keys.scheduleWithFixedDelay(this::refreshKeys, 2, 2, TimeUnit.SECONDS);
  }

  private void changed(Pod pod) {
    Optional<Key> key = key(pod);
    if (key.isPresent() && running(pod) && !servers.containsKey(key.get())) {
      starter.execute(() -> startServer(key.get()));
    }
  }

  private static Optional<Key> key(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    try {
      return Optional.of(
          new Key(
              UUID.fromString(labels.get(Labels.RESERVATION_ID)),
              Integer.parseInt(labels.getOrDefault(Labels.NODE_INDEX, "0"))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean running(Pod pod) {
    return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
  }

  private void startServer(Key key) {
    if (servers.containsKey(key)) {
      return;
    }
    Optional<String> owner =
        jdbi.withHandle(
            h ->
                h.createQuery("select username from reservations where id = :id")
                    .bind("id", key.reservation())
                    .mapTo(String.class)
                    .findOne());
    if (owner.isEmpty()) {
      return;
    }
    Path base = dir.resolve(key.reservation().toString());
    try {
      LoopbackSshd sshd =
          LoopbackSshd.start(base.resolve("sshd-node" + key.node()), base.resolve("home"));
      List<String> current = keysOf(owner.get());
      sshd.authorize(current);
      servers.put(key, new Server(sshd, owner.get(), current));
      log.info(
          "Dev server {} node {}: sshd on 127.0.0.1:{}, home {}",
          key.reservation().toString().substring(0, 8),
          key.node(),
          sshd.port(),
          base.resolve("home"));
    } catch (IOException e) {
      log.warn("Could not start the sshd of {}: {}", key.reservation(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stop(Key key) {
    Server server = servers.remove(key);
    if (server != null) {
      server.sshd().close();
      log.info(
          "Dev server {} node {}: sshd stopped",
          key.reservation().toString().substring(0, 8),
          key.node());
    }
  }

  private List<String> keysOf(String username) {
    return jdbi.withExtension(SshKeyDao.class, d -> d.listByUsername(username)).stream()
        .map(k -> k.publicKey())
        .toList();
  }

  /** A key added or removed reaches the running servers at the next round. */
  private void refreshKeys() {
    try {
      for (Map.Entry<Key, Server> e : servers.entrySet()) {
        Server s = e.getValue();
        List<String> current = keysOf(s.owner());
        if (!Objects.equals(current, s.keys())) {
          s.sshd().authorize(current);
          servers.replace(e.getKey(), s, new Server(s.sshd(), s.owner(), current));
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Refreshing the dev servers' SSH keys failed: {}", e.toString());
    }
  }

  @Override
  public Optional<InetSocketAddress> resolve(Reservation reservation, int node, int port) {
    if (port != 22) {
      return Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", port));
    }
    return Optional.ofNullable(servers.get(new Key(reservation.id(), node)))
        .map(s -> InetSocketAddress.createUnresolved("127.0.0.1", s.sshd().port()));
  }

  @Override
  public void close() {
    keys.shutdownNow();
    if (informer != null) {
      informer.close();
    }
    starter.shutdownNow();
    servers.keySet().forEach(this::stop);
  }
}
