package dev.odc.testing.sim;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the simulated controllers share: the client, the informers' caches, the one loop thread
 * every event and every decision runs on (so no controller needs a lock), and the small pool that
 * writes to the API server.
 */
final class SimContext {
  private static final Logger log = LoggerFactory.getLogger(ClusterSimulator.class);

  static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final ObjectMapper MAPPER =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  final KubernetesClient client;

  /** Watched namespace; null watches all. */
  private final String namespace;

  private final ScheduledExecutorService loop;
  private final ExecutorService writers;
  private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
  private SharedIndexInformer<PersistentVolumeClaim> claimInformer;
  private SharedIndexInformer<GenericKubernetesResource> snapshotInformer;
  private SharedIndexInformer<Pod> podInformer;
  private volatile boolean closed;

  SimContext(KubernetesClient client, String namespace, int writerThreads) {
    this.client = client;
    this.namespace = namespace;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cluster-simulator");
              t.setDaemon(true);
              return t;
            });
    AtomicInteger writerIds = new AtomicInteger();
    this.writers =
        Executors.newFixedThreadPool(
            writerThreads,
            r -> {
              Thread t = new Thread(r, "cluster-simulator-writer-" + writerIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  // ---------------------------------------------------------------- informers

  void watchNodes(ResourceEventHandler<io.fabric8.kubernetes.api.model.Node> handler) {
    informers.add(client.nodes().inform(handler, 0));
  }

  void watchClaims(ResourceEventHandler<PersistentVolumeClaim> handler) {
    claimInformer =
        namespace == null
            ? client.persistentVolumeClaims().inAnyNamespace().inform(handler, 0)
            : client.persistentVolumeClaims().inNamespace(namespace).inform(handler, 0);
    informers.add(claimInformer);
  }

  void watchSnapshots(ResourceEventHandler<GenericKubernetesResource> handler) {
    snapshotInformer =
        namespace == null
            ? client
                .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOTS)
                .inAnyNamespace()
                .inform(handler, 0)
            : client
                .genericKubernetesResources(ClusterSimulator.VOLUME_SNAPSHOTS)
                .inNamespace(namespace)
                .inform(handler, 0);
    informers.add(snapshotInformer);
  }

  void watchServices(ResourceEventHandler<io.fabric8.kubernetes.api.model.Service> handler) {
    informers.add(
        namespace == null
            ? client.services().inAnyNamespace().inform(handler, 0)
            : client.services().inNamespace(namespace).inform(handler, 0));
  }

  void watchPods(ResourceEventHandler<Pod> handler) {
    podInformer =
        namespace == null
            ? client.pods().inAnyNamespace().inform(handler, 0)
            : client.pods().inNamespace(namespace).inform(handler, 0);
    informers.add(podInformer);
  }

  /** The pod as the informer last saw it, or null. */
  Pod pod(PodKey key) {
    return podInformer.getIndexer().getByKey(key.toString());
  }

  /** The claim {@code namespace/name} as the informer last saw it, or null. */
  PersistentVolumeClaim claim(String key) {
    return claimInformer.getIndexer().getByKey(key);
  }

  List<PersistentVolumeClaim> claims() {
    return claimInformer.getIndexer().list();
  }

  /** The VolumeSnapshot {@code namespace/name} as the informer last saw it, or null. */
  GenericKubernetesResource snapshot(String key) {
    return snapshotInformer.getIndexer().getByKey(key);
  }

  /** Edits the pod's status subresource (a read, then the update). */
  void editPodStatus(PodKey key, UnaryOperator<Pod> edit) {
    client.pods().inNamespace(key.namespace()).withName(key.name()).editStatus(edit);
  }

  /** An informer handler that runs both callbacks on the loop thread. */
  <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> upsert, Consumer<T> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        submit(() -> upsert.accept(obj));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        submit(() -> upsert.accept(newObj));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        submit(() -> gone.accept(obj));
      }
    };
  }

  // ---------------------------------------------------------------- threads

  private void submit(Runnable r) {
    if (closed) {
      return;
    }
    loop.execute(
        () -> {
          try {
            r.run();
          } catch (RuntimeException e) {
            log.warn("Cluster simulator event failed", e);
          }
        });
  }

  /** Runs {@code r} on the loop thread later. */
  void execute(Runnable r) {
    loop.execute(r);
  }

  /** Runs {@code r} on the loop thread after {@code delay}, at once (in this call) when zero. */
  void after(Duration delay, Runnable r) {
    if (delay.isZero()) {
      r.run();
    } else {
      loop.schedule(r, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Runs an API write on the writer pool; a 404 means the object went meanwhile. */
  void write(String what, Runnable r) {
    if (closed) {
      return;
    }
    writers.execute(
        () -> {
          try {
            r.run();
          } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
              log.debug("Cluster simulator could not {}: gone", what);
            } else if (!closed) {
              log.warn("Cluster simulator could not {}", what, e);
            }
          } catch (RuntimeException e) {
            if (!closed) {
              log.warn("Cluster simulator could not {}", what, e);
            }
          }
        });
  }

  /** Stops the informers and the threads; waits up to 5 s for writes under way. */
  void close() {
    closed = true;
    informers.forEach(SharedIndexInformer::close);
    loop.shutdownNow();
    writers.shutdown();
    try {
      if (!writers.awaitTermination(5, TimeUnit.SECONDS)) {
        writers.shutdownNow();
      }
    } catch (InterruptedException e) {
      writers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- helpers

  static String json(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write patch", e);
    }
  }

  static Map<String, String> annotations(HasMetadata r) {
    if (r.getMetadata().getAnnotations() == null) {
      r.getMetadata().setAnnotations(new HashMap<>());
    }
    return r.getMetadata().getAnnotations();
  }
}
