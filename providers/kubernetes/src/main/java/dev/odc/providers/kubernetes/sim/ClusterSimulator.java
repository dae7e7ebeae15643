package dev.odc.providers.kubernetes.sim;

import dev.odc.core.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays kubelet, scheduler, CSI provisioner and snapshot controller against any fabric8 {@link
 * KubernetesClient}, typically one talking to the fabric8 mock server in CRUD mode.
 *
 * <p>It creates GPU nodes, binds pending pods to a node with enough free {@code nvidia.com/gpu},
 * CPU and memory that matches their node selector, affinity, tolerations and volume zones, then
 * marks them Running and Ready after {@link Builder#startDelay}; pods that fit nowhere stay Pending
 * with an {@code Unschedulable} condition and are retried whenever capacity changes. PVCs are bound
 * to a simulated PersistentVolume in a zone, VolumeSnapshots become {@code readyToUse}. Tests may
 * inject pod failures.
 *
 * <p>Everything reacts to informer events; all scheduling decisions happen on one thread, so the
 * bookkeeping never double-books a GPU, and API writes run on a small pool, so hundreds of pods per
 * second go through.
 */
public final class ClusterSimulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterSimulator.class);

  /** Label and annotation on everything the simulator creates or drives. */
  public static final String SIMULATED = "odc.dev/simulated";

  public static final String GPU_RESOURCE = Labels.GPU_RESOURCE;
  public static final String ZONE_LABEL = Labels.ZONE;
  public static final String DEFAULT_GPU_TYPE_LABEL = Labels.DEFAULT_GPU_TYPE;
  public static final String SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
  public static final String CSI_DRIVER = "sim.csi.odc.dev";

  public static final ResourceDefinitionContext VOLUME_SNAPSHOTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("snapshot.storage.k8s.io")
          .withVersion("v1")
          .withKind("VolumeSnapshot")
          .withPlural("volumesnapshots")
          .withNamespaced(true)
          .build();

  public static final ResourceDefinitionContext VOLUME_SNAPSHOT_CONTENTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("snapshot.storage.k8s.io")
          .withVersion("v1")
          .withKind("VolumeSnapshotContent")
          .withPlural("volumesnapshotcontents")
          .withNamespaced(false)
          .build();

  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  private final KubernetesClient client;
  private final String gpuTypeLabel;
  private final String namespace;
  private final Duration startDelay;
  private final Duration snapshotDelay;
  private final List<NodePool> initialPools;

  /** The one thread that owns all fields below marked "loop". */
  private final ScheduledExecutorService loop;

  private final ExecutorService writers;
  private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
  private SharedIndexInformer<PersistentVolumeClaim> claimInformer;
  private SharedIndexInformer<GenericKubernetesResource> snapshotInformer;
  private SharedIndexInformer<Pod> podInformer;

  // loop
  private final Map<String, SimNode> nodes = new HashMap<>();
  private final Map<String, Placement> placements = new HashMap<>();
  private final LinkedHashMap<String, PodKey> pending = new LinkedHashMap<>();
  private final Map<String, String> unschedulableMessages = new HashMap<>();
  private final Set<String> started = new HashSet<>();
  private final Map<String, String> claimZones = new HashMap<>();
  private final Set<String> handledSnapshots = new HashSet<>();

  private final List<FailureRule> failureRules = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> nodeCounters = new ConcurrentHashMap<>();
  private final AtomicInteger nodeIndex = new AtomicInteger();
  private final AtomicLong nodePorts = new AtomicLong();
  private final AtomicLong podsBound = new AtomicLong();
  private final AtomicLong podsStarted = new AtomicLong();
  private final AtomicLong claimsBound = new AtomicLong();
  private final AtomicLong snapshotsReady = new AtomicLong();
  private volatile boolean closed;

  private ClusterSimulator(Builder builder) {
    this.client = builder.client;
    this.gpuTypeLabel = builder.gpuTypeLabel;
    this.namespace = builder.namespace;
    this.startDelay = builder.startDelay;
    this.snapshotDelay = builder.snapshotDelay;
    this.initialPools = List.copyOf(builder.pools);
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
            builder.writerThreads,
            r -> {
              Thread t = new Thread(r, "cluster-simulator-writer-" + writerIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /**
   * Creates the configured nodes and starts watching; returns once every informer has its initial
   * list, so work submitted afterwards is seen.
   */
  public ClusterSimulator start() {
    for (NodePool pool : initialPools) {
      addNodes(pool);
    }
    informers.add(client.nodes().inform(handler(this::onNode, this::onNodeGone), 0));
    claimInformer =
        namespace == null
            ? client
                .persistentVolumeClaims()
                .inAnyNamespace()
                .inform(handler(this::onClaim, x -> {}), 0)
            : client
                .persistentVolumeClaims()
                .inNamespace(namespace)
                .inform(handler(this::onClaim, x -> {}), 0);
    informers.add(claimInformer);
    snapshotInformer =
        namespace == null
            ? client
                .genericKubernetesResources(VOLUME_SNAPSHOTS)
                .inAnyNamespace()
                .inform(handler(this::onSnapshot, this::onSnapshotGone), 0)
            : client
                .genericKubernetesResources(VOLUME_SNAPSHOTS)
                .inNamespace(namespace)
                .inform(handler(this::onSnapshot, this::onSnapshotGone), 0);
    informers.add(snapshotInformer);
    informers.add(
        namespace == null
            ? client.services().inAnyNamespace().inform(handler(this::onService, x -> {}), 0)
            : client
                .services()
                .inNamespace(namespace)
                .inform(handler(this::onService, x -> {}), 0));
    podInformer =
        namespace == null
            ? client.pods().inAnyNamespace().inform(handler(this::onPod, this::onPodGone), 0)
            : client.pods().inNamespace(namespace).inform(handler(this::onPod, this::onPodGone), 0);
    informers.add(podInformer);
    log.info(
        "Cluster simulator started: {} node pool(s), namespace {}, start delay {}",
        initialPools.size(),
        namespace == null ? "(all)" : namespace,
        startDelay);
    return this;
  }

  // ---------------------------------------------------------------- nodes

  /** Creates the nodes of {@code pool} and returns their names. */
  public List<String> addNodes(NodePool pool) {
    Objects.requireNonNull(pool, "pool is null");
    List<String> names = new ArrayList<>();
    AtomicInteger counter = nodeCounters.computeIfAbsent(pool.gpuType(), t -> new AtomicInteger());
    for (int i = 0; i < pool.count(); i++) {
      String zone = pool.zones().get(i % pool.zones().size());
      String name;
      do {
        name = "sim-" + sanitize(pool.gpuType()) + "-" + counter.getAndIncrement();
      } while (client.nodes().withName(name).get() != null);
      client.nodes().resource(node(name, pool, zone, nodeIndex.getAndIncrement())).create();
      names.add(name);
    }
    log.info("Added {} simulated {} node(s): {}", names.size(), pool.gpuType(), names);
    return List.copyOf(names);
  }

  /** Deletes a node; like the pod garbage collector, its pods go with it. */
  public void removeNode(String name) {
    client.nodes().withName(name).delete();
  }

  /** Flips the node's Ready condition; pods on a node that is not Ready stay where they are. */
  public void setNodeReady(String name, boolean ready) {
    client
        .nodes()
        .withName(name)
        .editStatus(
            n -> {
              n.getStatus().getConditions().stream()
                  .filter(c -> "Ready".equals(c.getType()))
                  .forEach(c -> c.setStatus(ready ? "True" : "False"));
              return n;
            });
  }

  /** Marks the node (un)schedulable, as {@code kubectl cordon} does. */
  public void cordon(String name, boolean cordoned) {
    client
        .nodes()
        .withName(name)
        .edit(
            n -> {
              n.getSpec().setUnschedulable(cordoned);
              return n;
            });
  }

  private Node node(String name, NodePool pool, String zone, int index) {
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(Integer.toString(pool.cpusPerNode())));
    capacity.put("memory", new Quantity(pool.memoryGiPerNode() + "Gi"));
    capacity.put("pods", new Quantity("110"));
    capacity.put("ephemeral-storage", new Quantity("500Gi"));
    if (pool.gpusPerNode() > 0) {
      capacity.put(GPU_RESOURCE, new Quantity(Integer.toString(pool.gpusPerNode())));
    }
    String now = Instant.now().toString();
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels(SIMULATED, "true")
            .addToLabels("kubernetes.io/hostname", name)
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels(ZONE_LABEL, zone)
            .addToLabels(gpuTypeLabel, pool.gpuType())
            .addToAnnotations(SIMULATED, "true")
            .endMetadata()
            .withNewSpec()
            .withProviderID("sim://" + zone + "/" + name)
            .endSpec()
            .withNewStatus()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("KubeletReady")
            .withMessage("simulated kubelet is posting ready status")
            .withLastHeartbeatTime(now)
            .withLastTransitionTime(now)
            .endCondition()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress("10.0." + (index / 250) + "." + (index % 250 + 2))
            .endAddress()
            .addNewAddress()
            .withType("ExternalIP")
            .withAddress("203.0." + (113 + index / 250) + "." + (index % 250 + 2))
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(name)
            .endAddress()
            .endStatus();
    if (pool.gpusPerNode() > 0) {
      b.editSpec()
          .addNewTaint()
          .withKey(GPU_RESOURCE)
          .withValue("present")
          .withEffect("NoSchedule")
          .endTaint()
          .endSpec();
    }
    return b.build();
  }

  private void onNode(Node node) {
    String name = node.getMetadata().getName();
    SimNode previous = nodes.get(name);
    SimNode current = SimNode.of(node);
    if (previous != null) {
      current.usedGpus = previous.usedGpus;
      current.usedCpuMillis = previous.usedCpuMillis;
      current.usedMemory = previous.usedMemory;
    }
    nodes.put(name, current);
    retryPending();
  }

  private void onNodeGone(Node node) {
    String name = node.getMetadata().getName();
    nodes.remove(name);
    List<PodKey> orphans = new ArrayList<>();
    placements.values().stream().filter(p -> p.node.equals(name)).forEach(p -> orphans.add(p.pod));
    for (PodKey pod : orphans) {
      write(
          "delete pod " + pod + " of removed node " + name,
          () -> client.pods().inNamespace(pod.namespace).withName(pod.name).delete());
    }
  }

  // ---------------------------------------------------------------- pods

  /**
   * Pods that match {@code which} and are not started yet play {@code failure} instead of starting,
   * until {@link #clearFailures()}.
   */
  public void injectFailure(Predicate<Pod> which, PodFailure failure) {
    failureRules.add(new FailureRule(Objects.requireNonNull(which, "which is null"), failure));
  }

  /** Removes every injected failure; pods already failing stay failed. */
  public void clearFailures() {
    failureRules.clear();
  }

  /** Makes a pod that is already running fail now, for example a crash loop after a while. */
  public void failPod(String podNamespace, String podName, PodFailure failure) {
    Pod pod = client.pods().inNamespace(podNamespace).withName(podName).get();
    if (pod == null) {
      throw new IllegalArgumentException("no pod " + podNamespace + "/" + podName);
    }
    write("fail pod " + podNamespace + "/" + podName, () -> applyFailure(pod, failure));
  }

  private void onPod(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      onPodGone(pod);
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      if (release(uid)) {
        retryPending();
      }
      return;
    }
    String nodeName = pod.getSpec().getNodeName();
    if (nodeName != null && !nodeName.isBlank()) {
      pending.remove(uid);
      unschedulableMessages.remove(uid);
      if (!placements.containsKey(uid)) {
        // bound by someone else, or before this simulator started
        Resources r = Resources.of(pod);
        placements.put(uid, new Placement(PodKey.of(pod), nodeName, r));
        SimNode node = nodes.get(nodeName);
        if (node != null) {
          node.take(r);
        }
      }
      if (!"Running".equals(phase) && !hasFailure(pod) && started.add(uid)) {
        scheduleStart(PodKey.of(pod), uid);
      }
      return;
    }
    pending.putIfAbsent(uid, PodKey.of(pod));
    trySchedule(pod);
  }

  private void onPodGone(Pod pod) {
    String uid = pod.getMetadata().getUid();
    pending.remove(uid);
    unschedulableMessages.remove(uid);
    started.remove(uid);
    if (release(uid)) {
      retryPending();
    }
  }

  private boolean release(String uid) {
    Placement p = placements.remove(uid);
    if (p == null) {
      return false;
    }
    SimNode node = nodes.get(p.node);
    if (node != null) {
      node.give(p.resources);
    }
    return true;
  }

  private void retryPending() {
    if (pending.isEmpty()) {
      return;
    }
    for (PodKey key : List.copyOf(pending.values())) {
      Pod pod = podInformer.getIndexer().getByKey(key.toString());
      if (pod == null) {
        pending.values().remove(key);
        continue;
      }
      if (pod.getSpec().getNodeName() == null) {
        trySchedule(pod);
      }
    }
  }

  private void trySchedule(Pod pod) {
    String uid = pod.getMetadata().getUid();
    Resources wanted = Resources.of(pod);
    Map<String, Integer> reasons = new LinkedHashMap<>();
    List<String> claimZonesWanted = new ArrayList<>();
    Optional<String> claimProblem = claimConstraints(pod, claimZonesWanted);
    if (claimProblem.isPresent()) {
      markUnschedulable(pod, claimProblem.get());
      return;
    }
    SimNode best = null;
    for (SimNode node :
        nodes.values().stream().sorted(Comparator.comparing(n -> n.name)).toList()) {
      String why = node.rejects(pod, wanted, claimZonesWanted);
      if (why != null) {
        reasons.merge(why, 1, Integer::sum);
        continue;
      }
      // best fit: keep whole nodes free for large reservations
      if (best == null || node.freeGpus() - wanted.gpus < best.freeGpus() - wanted.gpus) {
        best = node;
      }
    }
    if (best == null) {
      StringBuilder message =
          new StringBuilder().append("0/").append(nodes.size()).append(" nodes are available");
      String sep = ": ";
      for (Map.Entry<String, Integer> e : reasons.entrySet()) {
        message.append(sep).append(e.getValue()).append(' ').append(e.getKey());
        sep = ", ";
      }
      message.append('.');
      markUnschedulable(pod, message.toString());
      return;
    }
    SimNode chosen = best;
    chosen.take(wanted);
    PodKey key = PodKey.of(pod);
    placements.put(uid, new Placement(key, chosen.name, wanted));
    pending.remove(uid);
    unschedulableMessages.remove(uid);
    started.add(uid);
    bindUnboundClaims(pod, chosen);
    write(
        "bind pod " + key + " to " + chosen.name,
        () -> {
          bind(pod, chosen.name);
          podsBound.incrementAndGet();
          loop.execute(() -> scheduleStart(key, uid));
        });
  }

  private void markUnschedulable(Pod pod, String message) {
    String uid = pod.getMetadata().getUid();
    if (message.equals(unschedulableMessages.put(uid, message))) {
      return;
    }
    PodKey key = PodKey.of(pod);
    log.debug("Pod {} is unschedulable: {}", key, message);
    write(
        "mark pod " + key + " unschedulable",
        () ->
            client
                .pods()
                .inNamespace(key.namespace)
                .withName(key.name)
                .editStatus(
                    p -> {
                      ensureStatus(p).setPhase("Pending");
                      setCondition(p, condition("PodScheduled", "False", "Unschedulable", message));
                      return p;
                    }));
  }

  private void bind(Pod seen, String nodeName) {
    // Merge patches on the pod as the informer saw it: a patch by name alone reads the pod first
    // (fabric8 fetches the item it patches).
    var pod = client.pods().inNamespace(seen.getMetadata().getNamespace()).resource(seen);
    pod.patch(
        MERGE,
        json(
            Map.of(
                "metadata",
                Map.of("annotations", Map.of(SIMULATED, "true")),
                "spec",
                Map.of("nodeName", nodeName))));
    if (startDelay.isZero() && failureRules.stream().noneMatch(r -> r.which.test(seen))) {
      return; // it starts at once, and its Running status carries PodScheduled with the rest
    }
    pod.subresource("status")
        .patch(
            MERGE,
            json(
                Map.of(
                    "status",
                    Map.of(
                        "phase",
                        "Pending",
                        "conditions",
                        List.of(condition("PodScheduled", "True", null, null))))));
  }

  private static String json(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write patch", e);
    }
  }

  private void scheduleStart(PodKey key, String uid) {
    Runnable start =
        () -> {
          if (!placements.containsKey(uid)) {
            return; // deleted meanwhile
          }
          String nodeName = placements.get(uid).node;
          SimNode node = nodes.get(nodeName);
          String hostIp = node == null ? "10.0.0.1" : node.internalIp;
          write("start pod " + key, () -> startPod(key, hostIp));
        };
    if (startDelay.isZero()) {
      start.run();
    } else {
      loop.schedule(start, startDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void startPod(PodKey key, String hostIp) {
    Pod pod = podInformer.getIndexer().getByKey(key.toString());
    if (pod == null) {
      return;
    }
    Optional<PodFailure> failure =
        failureRules.stream().filter(r -> r.which.test(pod)).map(r -> r.failure).findFirst();
    if (failure.isPresent()) {
      applyFailure(pod, failure.get());
      return;
    }
    String now = Instant.now().toString();
    String podIp =
        "10.244." + Math.floorMod(key.hashCode(), 250) + "." + (podsStarted.get() % 250 + 2);
    List<PodCondition> conditions = new ArrayList<>();
    for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
      conditions.add(condition(type, "True", null, null));
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    pod.getSpec()
        .getContainers()
        .forEach(
            c ->
                statuses.add(
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("sim://" + c.getImage())
                        .withContainerID("sim://" + UUID.randomUUID())
                        .withReady(true)
                        .withStarted(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(now)
                        .endRunning()
                        .endState()
                        .build()));
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", "Running");
    status.put("hostIP", hostIp);
    status.put("podIP", podIp);
    status.put("startTime", now);
    status.put("conditions", conditions);
    status.put("containerStatuses", statuses);
    client
        .pods()
        .inNamespace(key.namespace)
        .resource(pod) // the informer's copy: no read before the patch
        .subresource("status")
        .patch(MERGE, json(Map.of("status", status)));
    podsStarted.incrementAndGet();
  }

  private void applyFailure(Pod pod, PodFailure failure) {
    PodKey key = PodKey.of(pod);
    log.debug("Pod {} plays {}", key, failure);
    switch (failure) {
      case IMAGE_PULL -> {
        waitingStatus(
            key,
            "Pending",
            "ErrImagePull",
            0,
            image ->
                "failed to pull image \""
                    + image
                    + "\": rpc error: code = NotFound desc = failed to pull and unpack image \""
                    + image
                    + "\": not found");
        waitingStatus(
            key,
            "Pending",
            "ImagePullBackOff",
            0,
            image -> "Back-off pulling image \"" + image + "\"");
      }
      case CRASH_LOOP ->
          waitingStatus(
              key,
              "Running",
              "CrashLoopBackOff",
              3,
              image -> "back-off 40s restarting failed container");
    }
  }

  private void waitingStatus(
      PodKey key,
      String phase,
      String reason,
      int restarts,
      java.util.function.Function<String, String> message) {
    client
        .pods()
        .inNamespace(key.namespace)
        .withName(key.name)
        .editStatus(
            p -> {
              var status = ensureStatus(p);
              status.setPhase(phase);
              setCondition(p, condition("PodScheduled", "True", null, null));
              setCondition(
                  p,
                  condition(
                      "ContainersReady",
                      "False",
                      "ContainersNotReady",
                      "containers with unready status"));
              setCondition(
                  p,
                  condition(
                      "Ready", "False", "ContainersNotReady", "containers with unready status"));
              List<ContainerStatus> statuses = new ArrayList<>();
              p.getSpec()
                  .getContainers()
                  .forEach(
                      c -> {
                        ContainerStatusBuilder b =
                            new ContainerStatusBuilder()
                                .withName(c.getName())
                                .withImage(c.getImage())
                                .withReady(false)
                                .withStarted(false)
                                .withRestartCount(restarts)
                                .withNewState()
                                .withNewWaiting()
                                .withReason(reason)
                                .withMessage(message.apply(c.getImage()))
                                .endWaiting()
                                .endState();
                        if (restarts > 0) {
                          b.withNewLastState()
                              .withNewTerminated()
                              .withExitCode(1)
                              .withReason("Error")
                              .withFinishedAt(Instant.now().toString())
                              .endTerminated()
                              .endLastState();
                        }
                        statuses.add(b.build());
                      });
              status.setContainerStatuses(statuses);
              return p;
            });
  }

  private static boolean hasFailure(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getContainerStatuses() != null
        && pod.getStatus().getContainerStatuses().stream()
            .anyMatch(s -> s.getState() != null && s.getState().getWaiting() != null);
  }

  // ---------------------------------------------------------------- volumes

  /**
   * Zones the pod's bound claims pin it to; a message when a claim is missing or still waiting for
   * its snapshot.
   */
  private Optional<String> claimConstraints(Pod pod, List<String> zones) {
    if (pod.getSpec().getVolumes() == null) {
      return Optional.empty();
    }
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() == null) {
        continue;
      }
      String claim = v.getPersistentVolumeClaim().getClaimName();
      String ns = pod.getMetadata().getNamespace();
      String zone = claimZones.get(ns + "/" + claim);
      if (zone != null) {
        zones.add(zone);
        continue;
      }
      PersistentVolumeClaim pvc = claimInformer.getIndexer().getByKey(ns + "/" + claim);
      if (pvc == null) {
        return Optional.of("persistentvolumeclaim \"" + claim + "\" not found");
      }
      if (pvc.getSpec().getVolumeName() != null) {
        claimZoneFromVolume(pvc.getSpec().getVolumeName()).ifPresent(zones::add);
      }
    }
    return Optional.empty();
  }

  private Optional<String> claimZoneFromVolume(String volumeName) {
    PersistentVolume pv = client.persistentVolumes().withName(volumeName).get();
    if (pv == null || pv.getMetadata().getLabels() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(pv.getMetadata().getLabels().get(ZONE_LABEL));
  }

  /** WaitForFirstConsumer: claims still unbound when their first pod is placed follow its node. */
  private void bindUnboundClaims(Pod pod, SimNode node) {
    if (pod.getSpec().getVolumes() == null) {
      return;
    }
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() == null) {
        continue;
      }
      String key =
          pod.getMetadata().getNamespace() + "/" + v.getPersistentVolumeClaim().getClaimName();
      PersistentVolumeClaim pvc = claimInformer.getIndexer().getByKey(key);
      if (pvc != null && !claimZones.containsKey(key) && pvc.getSpec().getVolumeName() == null) {
        bindClaim(pvc, node.zone);
      }
    }
  }

  private void onClaim(PersistentVolumeClaim pvc) {
    String key = pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName();
    if (pvc.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    if (pvc.getSpec().getVolumeName() != null || claimZones.containsKey(key)) {
      return;
    }
    if (waitsForFirstConsumer(pvc)) {
      retryPending();
      return;
    }
    Optional<String> zone = zoneHint(pvc);
    bindClaim(pvc, zone.orElseGet(this::defaultZone));
    retryPending();
  }

  private boolean waitsForFirstConsumer(PersistentVolumeClaim pvc) {
    if (zoneHint(pvc).isPresent()) {
      return false;
    }
    String className = pvc.getSpec().getStorageClassName();
    if (className == null) {
      return false;
    }
    StorageClass sc = client.storage().v1().storageClasses().withName(className).get();
    return sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode());
  }

  private Optional<String> zoneHint(PersistentVolumeClaim pvc) {
    Map<String, String> labels = pvc.getMetadata().getLabels();
    if (labels != null && labels.get(ZONE_LABEL) != null) {
      return Optional.of(labels.get(ZONE_LABEL));
    }
    Map<String, String> annotations = pvc.getMetadata().getAnnotations();
    if (annotations != null) {
      // storage backends record the zone they asked for under a "<prefix>/zone" annotation
      Optional<String> annotated =
          annotations.entrySet().stream()
              .filter(e -> e.getKey().equals(ZONE_LABEL) || e.getKey().endsWith("/zone"))
              .map(Map.Entry::getValue)
              .filter(v -> v != null && !v.isBlank())
              .findFirst();
      if (annotated.isPresent()) {
        return annotated;
      }
    }
    if (annotations != null && annotations.get(SELECTED_NODE_ANNOTATION) != null) {
      SimNode node = nodes.get(annotations.get(SELECTED_NODE_ANNOTATION));
      if (node != null) {
        return Optional.of(node.zone);
      }
    }
    return Optional.empty();
  }

  private String defaultZone() {
    return nodes.values().stream()
        .map(n -> n.zone)
        .filter(Objects::nonNull)
        .sorted()
        .findFirst()
        .orElse(initialPools.isEmpty() ? "zone-a" : initialPools.get(0).zones().get(0));
  }

  private void bindClaim(PersistentVolumeClaim pvc, String zone) {
    String ns = pvc.getMetadata().getNamespace();
    String name = pvc.getMetadata().getName();
    String key = ns + "/" + name;
    Quantity size = requestedSize(pvc);
    if (pvc.getSpec().getDataSource() != null
        && "VolumeSnapshot".equals(pvc.getSpec().getDataSource().getKind())) {
      GenericKubernetesResource snapshot =
          snapshotInformer
              .getIndexer()
              .getByKey(ns + "/" + pvc.getSpec().getDataSource().getName());
      if (snapshot == null || !isReady(snapshot)) {
        // the provisioner waits for the snapshot; onSnapshot retries unbound claims
        return;
      }
      Object restoreSize = status(snapshot).get("restoreSize");
      if (restoreSize != null && size == null) {
        size = new Quantity(restoreSize.toString());
      }
    }
    Quantity capacity = size == null ? new Quantity("10Gi") : size;
    claimZones.put(key, zone);
    String pvName = "pvc-" + pvc.getMetadata().getUid();
    write(
        "bind claim " + key + " in " + zone,
        () -> {
          PersistentVolume pv =
              new PersistentVolumeBuilder()
                  .withNewMetadata()
                  .withName(pvName)
                  .addToLabels(SIMULATED, "true")
                  .addToLabels(ZONE_LABEL, zone)
                  .addToAnnotations(SIMULATED, "true")
                  .addToAnnotations("pv.kubernetes.io/provisioned-by", CSI_DRIVER)
                  .endMetadata()
                  .withNewSpec()
                  .withCapacity(Map.of("storage", capacity))
                  .withAccessModes(pvc.getSpec().getAccessModes())
                  .withStorageClassName(pvc.getSpec().getStorageClassName())
                  .withPersistentVolumeReclaimPolicy("Delete")
                  .withNewClaimRef()
                  .withKind("PersistentVolumeClaim")
                  .withNamespace(ns)
                  .withName(name)
                  .withUid(pvc.getMetadata().getUid())
                  .endClaimRef()
                  .withNewCsi()
                  .withDriver(CSI_DRIVER)
                  .withVolumeHandle(
                      "vol-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17))
                  .endCsi()
                  .withNewNodeAffinity()
                  .withNewRequired()
                  .addNewNodeSelectorTerm()
                  .addNewMatchExpression()
                  .withKey(ZONE_LABEL)
                  .withOperator("In")
                  .withValues(zone)
                  .endMatchExpression()
                  .endNodeSelectorTerm()
                  .endRequired()
                  .endNodeAffinity()
                  .endSpec()
                  .withNewStatus()
                  .withPhase("Bound")
                  .endStatus()
                  .build();
          // create first, a conflict meaning a previous attempt made it: no read before it
          try {
            client.persistentVolumes().resource(pv).create();
          } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
              throw e;
            }
          }
          // merge patches on the claim as the informer saw it: no read before either
          var claim = client.persistentVolumeClaims().inNamespace(ns).resource(pvc);
          claim.patch(
              MERGE,
              json(
                  Map.of(
                      "metadata",
                      Map.of(
                          "annotations",
                          Map.of("pv.kubernetes.io/bind-completed", "yes", SIMULATED, "true")),
                      "spec",
                      Map.of("volumeName", pvName))));
          Map<String, Object> status = new LinkedHashMap<>();
          status.put("phase", "Bound");
          if (pvc.getSpec().getAccessModes() != null) {
            status.put("accessModes", pvc.getSpec().getAccessModes());
          }
          status.put("capacity", Map.of("storage", capacity));
          claim.subresource("status").patch(MERGE, json(Map.of("status", status)));
          claimsBound.incrementAndGet();
        });
  }

  private static Quantity requestedSize(PersistentVolumeClaim pvc) {
    if (pvc.getSpec().getResources() == null
        || pvc.getSpec().getResources().getRequests() == null) {
      return null;
    }
    return pvc.getSpec().getResources().getRequests().get("storage");
  }

  // ---------------------------------------------------------------- services

  /** Plays the API server's NodePort allocator: every NodePort/LoadBalancer port gets one. */
  private void onService(io.fabric8.kubernetes.api.model.Service service) {
    var spec = service.getSpec();
    if (spec == null
        || spec.getPorts() == null
        || !("NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType()))
        || spec.getPorts().stream().allMatch(p -> p.getNodePort() != null)) {
      return;
    }
    String ns = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    List<Integer> ports = new ArrayList<>();
    for (var port : spec.getPorts()) {
      ports.add(port.getNodePort() != null ? port.getNodePort() : nextNodePort());
    }
    write(
        "assign node ports to service " + ns + "/" + name,
        () ->
            client
                .services()
                .inNamespace(ns)
                .withName(name)
                .edit(
                    svc -> {
                      for (int i = 0;
                          i < svc.getSpec().getPorts().size() && i < ports.size();
                          i++) {
                        if (svc.getSpec().getPorts().get(i).getNodePort() == null) {
                          svc.getSpec().getPorts().get(i).setNodePort(ports.get(i));
                        }
                      }
                      annotations(svc).put(SIMULATED, "true");
                      return svc;
                    }));
  }

  private int nextNodePort() {
    // the default service-node-port-range is 30000-32767
    return 30000 + (int) (nodePorts.getAndIncrement() % 2768);
  }

  // ---------------------------------------------------------------- snapshots

  private void onSnapshot(GenericKubernetesResource snapshot) {
    if (isReady(snapshot)) {
      retryUnboundClaims();
      return;
    }
    String uid = snapshot.getMetadata().getUid();
    if (snapshot.getMetadata().getDeletionTimestamp() != null || !handledSnapshots.add(uid)) {
      return;
    }
    Runnable ready = () -> write("make snapshot ready", () -> makeReady(snapshot));
    if (snapshotDelay.isZero()) {
      ready.run();
    } else {
      loop.schedule(ready, snapshotDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void retryUnboundClaims() {
    for (PersistentVolumeClaim pvc : claimInformer.getIndexer().list()) {
      onClaim(pvc);
    }
  }

  @SuppressWarnings("unchecked")
  private void makeReady(GenericKubernetesResource snapshot) {
    String ns = snapshot.getMetadata().getNamespace();
    String name = snapshot.getMetadata().getName();
    Map<String, Object> spec = (Map<String, Object>) snapshot.getAdditionalProperties().get("spec");
    Map<String, Object> source = spec == null ? null : (Map<String, Object>) spec.get("source");
    String sourceClaim = source == null ? null : (String) source.get("persistentVolumeClaimName");
    PersistentVolumeClaim pvc =
        sourceClaim == null
            ? null
            : client.persistentVolumeClaims().inNamespace(ns).withName(sourceClaim).get();
    if (pvc == null) {
      String message =
          sourceClaim == null
              ? "snapshot has no source persistentVolumeClaimName"
              : "failed to get input parameters to create snapshot "
                  + name
                  + ": persistentvolumeclaim \""
                  + sourceClaim
                  + "\" not found";
      client
          .genericKubernetesResources(VOLUME_SNAPSHOTS)
          .inNamespace(ns)
          .withName(name)
          .editStatus(
              s -> {
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("readyToUse", false);
                status.put("error", Map.of("message", message, "time", Instant.now().toString()));
                s.getAdditionalProperties().put("status", status);
                return s;
              });
      return;
    }
    Quantity size =
        pvc.getStatus() != null && pvc.getStatus().getCapacity() != null
            ? pvc.getStatus().getCapacity().get("storage")
            : requestedSize(pvc);
    String restoreSize = size == null ? "10Gi" : size.toString();
    String contentName = "snapcontent-" + snapshot.getMetadata().getUid();
    String handle = "snap-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
    String className = spec == null ? null : (String) spec.get("volumeSnapshotClassName");
    String now = Instant.now().toString();
    Map<String, Object> contentSpec = new LinkedHashMap<>();
    contentSpec.put("deletionPolicy", "Delete");
    contentSpec.put("driver", CSI_DRIVER);
    contentSpec.put(
        "source",
        Map.of(
            "volumeHandle",
            pvc.getSpec().getVolumeName() == null ? "unbound" : pvc.getSpec().getVolumeName()));
    contentSpec.put(
        "volumeSnapshotRef",
        Map.of(
            "apiVersion",
            "snapshot.storage.k8s.io/v1",
            "kind",
            "VolumeSnapshot",
            "name",
            name,
            "namespace",
            ns,
            "uid",
            snapshot.getMetadata().getUid()));
    if (className != null) {
      contentSpec.put("volumeSnapshotClassName", className);
    }
    Map<String, Object> contentStatus = new LinkedHashMap<>();
    contentStatus.put("snapshotHandle", handle);
    contentStatus.put("readyToUse", true);
    contentStatus.put(
        "restoreSize", size == null ? 10L << 30 : size.getNumericalAmount().longValue());
    contentStatus.put("creationTime", System.currentTimeMillis() * 1_000_000L);
    GenericKubernetesResource content =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("snapshot.storage.k8s.io/v1")
            .withKind("VolumeSnapshotContent")
            .withNewMetadata()
            .withName(contentName)
            .addToLabels(SIMULATED, "true")
            .addToAnnotations(SIMULATED, "true")
            .endMetadata()
            .addToAdditionalProperties("spec", contentSpec)
            .addToAdditionalProperties("status", contentStatus)
            .build();
    if (client.genericKubernetesResources(VOLUME_SNAPSHOT_CONTENTS).withName(contentName).get()
        == null) {
      client.genericKubernetesResources(VOLUME_SNAPSHOT_CONTENTS).resource(content).create();
    }
    client
        .genericKubernetesResources(VOLUME_SNAPSHOTS)
        .inNamespace(ns)
        .withName(name)
        .editStatus(
            s -> {
              Map<String, Object> status = new LinkedHashMap<>();
              status.put("boundVolumeSnapshotContentName", contentName);
              status.put("creationTime", now);
              status.put("readyToUse", true);
              status.put("restoreSize", restoreSize);
              s.getAdditionalProperties().put("status", status);
              annotations(s).put(SIMULATED, "true");
              annotations(s).put("odc.dev/snapshot-handle", handle);
              return s;
            });
    snapshotsReady.incrementAndGet();
  }

  private void onSnapshotGone(GenericKubernetesResource snapshot) {
    String uid = snapshot.getMetadata().getUid();
    handledSnapshots.remove(uid);
    write(
        "delete snapshot content of " + snapshot.getMetadata().getName(),
        () ->
            client
                .genericKubernetesResources(VOLUME_SNAPSHOT_CONTENTS)
                .withName("snapcontent-" + uid)
                .delete());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource r) {
    Object status = r.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static boolean isReady(GenericKubernetesResource snapshot) {
    return Boolean.TRUE.equals(status(snapshot).get("readyToUse"));
  }

  // ---------------------------------------------------------------- statistics and lifecycle

  /** Pods bound to a node since start. */
  public long podsBound() {
    return podsBound.get();
  }

  /** Pods marked Running and Ready since start. */
  public long podsStarted() {
    return podsStarted.get();
  }

  /** PersistentVolumeClaims bound since start. */
  public long claimsBound() {
    return claimsBound.get();
  }

  /** VolumeSnapshots made ready since start. */
  public long snapshotsReady() {
    return snapshotsReady.get();
  }

  /** The label key nodes carry their GPU type under. */
  public String gpuTypeLabel() {
    return gpuTypeLabel;
  }

  /** Stops watching and acting; the cluster's objects stay as they are. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
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
    log.info(
        "Cluster simulator stopped: {} pods bound, {} started, {} claims bound, {} snapshots ready",
        podsBound,
        podsStarted,
        claimsBound,
        snapshotsReady);
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(
      java.util.function.Consumer<T> upsert, java.util.function.Consumer<T> gone) {
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

  private void write(String what, Runnable r) {
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

  private static Map<String, String> annotations(HasMetadata r) {
    if (r.getMetadata().getAnnotations() == null) {
      r.getMetadata().setAnnotations(new HashMap<>());
    }
    return r.getMetadata().getAnnotations();
  }

  private static io.fabric8.kubernetes.api.model.PodStatus ensureStatus(Pod p) {
    if (p.getStatus() == null) {
      p.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
    }
    return p.getStatus();
  }

  private static PodCondition condition(String type, String status, String reason, String message) {
    String now = Instant.now().toString();
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastProbeTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  private static void setCondition(Pod p, PodCondition condition) {
    List<PodCondition> conditions = new ArrayList<>();
    if (p.getStatus().getConditions() != null) {
      p.getStatus().getConditions().stream()
          .filter(c -> !condition.getType().equals(c.getType()))
          .forEach(conditions::add);
    }
    conditions.add(condition);
    p.getStatus().setConditions(conditions);
  }

  private static String sanitize(String value) {
    String s = value.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return s.isEmpty() ? "gpu" : s;
  }

  // ---------------------------------------------------------------- model

  private record PodKey(String namespace, String name) {
    static PodKey of(Pod pod) {
      return new PodKey(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    }

    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  private record Placement(PodKey pod, String node, Resources resources) {}

  private record FailureRule(Predicate<Pod> which, PodFailure failure) {}

  /** What a pod asks for: the larger of requests and limits, as the scheduler counts them. */
  private record Resources(int gpus, long cpuMillis, long memory) {
    static Resources of(Pod pod) {
      int gpus = 0;
      long cpu = 0;
      long memory = 0;
      for (var c : pod.getSpec().getContainers()) {
        ResourceRequirements r = c.getResources();
        if (r == null) {
          continue;
        }
        gpus += (int) amount(r, GPU_RESOURCE, BigDecimal.ONE);
        cpu += amount(r, "cpu", BigDecimal.valueOf(1000));
        memory += amount(r, "memory", BigDecimal.ONE);
      }
      return new Resources(gpus, cpu, memory);
    }

    private static long amount(ResourceRequirements r, String name, BigDecimal scale) {
      Quantity q = null;
      if (r.getRequests() != null) {
        q = r.getRequests().get(name);
      }
      if (q == null && r.getLimits() != null) {
        q = r.getLimits().get(name);
      }
      return q == null ? 0 : q.getNumericalAmount().multiply(scale).longValue();
    }
  }

  private static final class SimNode {
    String name;
    String zone;
    String internalIp;
    Map<String, String> labels;
    List<Taint> taints;
    boolean ready;
    boolean unschedulable;
    int gpus;
    long cpuMillis;
    long memory;
    int usedGpus;
    long usedCpuMillis;
    long usedMemory;

    static SimNode of(Node node) {
      SimNode n = new SimNode();
      n.name = node.getMetadata().getName();
      n.labels =
          node.getMetadata().getLabels() == null
              ? Map.of()
              : Map.copyOf(node.getMetadata().getLabels());
      n.zone = n.labels.get(ZONE_LABEL);
      n.taints =
          node.getSpec() == null || node.getSpec().getTaints() == null
              ? List.of()
              : List.copyOf(node.getSpec().getTaints());
      n.unschedulable =
          node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
      var status = node.getStatus();
      n.ready =
          status != null
              && status.getConditions() != null
              && status.getConditions().stream()
                  .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      Map<String, Quantity> alloc =
          status == null || status.getAllocatable() == null ? Map.of() : status.getAllocatable();
      n.gpus =
          alloc.containsKey(GPU_RESOURCE)
              ? alloc.get(GPU_RESOURCE).getNumericalAmount().intValue()
              : 0;
      n.cpuMillis =
          alloc.containsKey("cpu")
              ? alloc.get("cpu").getNumericalAmount().multiply(BigDecimal.valueOf(1000)).longValue()
              : 0;
      n.memory =
          alloc.containsKey("memory") ? alloc.get("memory").getNumericalAmount().longValue() : 0;
      n.internalIp =
          status == null || status.getAddresses() == null
              ? "10.0.0.1"
              : status.getAddresses().stream()
                  .filter(a -> "InternalIP".equals(a.getType()))
                  .map(a -> a.getAddress())
                  .findFirst()
                  .orElse("10.0.0.1");
      return n;
    }

    int freeGpus() {
      return gpus - usedGpus;
    }

    void take(Resources r) {
      usedGpus += r.gpus;
      usedCpuMillis += r.cpuMillis;
      usedMemory += r.memory;
    }

    void give(Resources r) {
      usedGpus -= r.gpus;
      usedCpuMillis -= r.cpuMillis;
      usedMemory -= r.memory;
    }

    /** Why the pod cannot go here, in the scheduler's words, or null when it fits. */
    String rejects(Pod pod, Resources wanted, List<String> claimZones) {
      if (!ready) {
        return "node(s) were not ready";
      }
      if (unschedulable) {
        return "node(s) were unschedulable";
      }
      Map<String, String> selector = pod.getSpec().getNodeSelector();
      if (selector != null
          && selector.entrySet().stream()
              .anyMatch(e -> !e.getValue().equals(labels.get(e.getKey())))) {
        return "node(s) didn't match Pod's node affinity/selector";
      }
      if (!matchesAffinity(pod)) {
        return "node(s) didn't match Pod's node affinity/selector";
      }
      for (Taint taint : taints) {
        if (("NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect()))
            && !tolerated(taint, pod.getSpec().getTolerations())) {
          return "node(s) had untolerated taint {" + taint.getKey() + ": " + taint.getValue() + "}";
        }
      }
      if (claimZones.stream().anyMatch(z -> !z.equals(zone))) {
        return "node(s) had volume node affinity conflict";
      }
      if (wanted.gpus > gpus - usedGpus) {
        return "Insufficient " + GPU_RESOURCE;
      }
      if (wanted.cpuMillis > cpuMillis - usedCpuMillis) {
        return "Insufficient cpu";
      }
      if (wanted.memory > memory - usedMemory) {
        return "Insufficient memory";
      }
      return null;
    }

    private boolean matchesAffinity(Pod pod) {
      var affinity = pod.getSpec().getAffinity();
      if (affinity == null
          || affinity.getNodeAffinity() == null
          || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
              == null) {
        return true;
      }
      List<NodeSelectorTerm> terms =
          affinity
              .getNodeAffinity()
              .getRequiredDuringSchedulingIgnoredDuringExecution()
              .getNodeSelectorTerms();
      if (terms == null || terms.isEmpty()) {
        return true;
      }
      return terms.stream()
          .anyMatch(
              t ->
                  t.getMatchExpressions() == null
                      || t.getMatchExpressions().stream().allMatch(this::matches));
    }

    private boolean matches(NodeSelectorRequirement r) {
      String value = labels.get(r.getKey());
      List<String> values = r.getValues() == null ? List.of() : r.getValues();
      return switch (r.getOperator()) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        case "Gt" ->
            value != null
                && !values.isEmpty()
                && Long.parseLong(value) > Long.parseLong(values.get(0));
        case "Lt" ->
            value != null
                && !values.isEmpty()
                && Long.parseLong(value) < Long.parseLong(values.get(0));
        default -> false;
      };
    }

    private static boolean tolerated(Taint taint, List<Toleration> tolerations) {
      if (tolerations == null) {
        return false;
      }
      for (Toleration t : tolerations) {
        boolean effect =
            t.getEffect() == null
                || t.getEffect().isEmpty()
                || t.getEffect().equals(taint.getEffect());
        if (!effect) {
          continue;
        }
        if (t.getKey() == null || t.getKey().isEmpty()) {
          if ("Exists".equals(t.getOperator())) {
            return true;
          }
          continue;
        }
        if (!t.getKey().equals(taint.getKey())) {
          continue;
        }
        if ("Exists".equals(t.getOperator()) || Objects.equals(t.getValue(), taint.getValue())) {
          return true;
        }
      }
      return false;
    }
  }

  /** Settings of a {@link ClusterSimulator}. */
  public static final class Builder {
    private final KubernetesClient client;
    private String gpuTypeLabel = DEFAULT_GPU_TYPE_LABEL;
    private String namespace;
    private Duration startDelay = Duration.ZERO;
    private Duration snapshotDelay = Duration.ZERO;
    private int writerThreads = 4;
    private final List<NodePool> pools = new ArrayList<>();

    private Builder(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client is null");
    }

    /** The node label that carries the GPU type; {@value #DEFAULT_GPU_TYPE_LABEL} by default. */
    public Builder gpuTypeLabel(String label) {
      this.gpuTypeLabel = Objects.requireNonNull(label, "label is null");
      return this;
    }

    /** Watch pods, claims and snapshots of this namespace only; all namespaces by default. */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** Nodes to create on {@link #start()}. */
    public Builder nodes(NodePool pool) {
      pools.add(Objects.requireNonNull(pool, "pool is null"));
      return this;
    }

    /** Time between a pod's binding and its Running/Ready status; zero by default. */
    public Builder startDelay(Duration delay) {
      this.startDelay = nonNegative(delay, "startDelay");
      return this;
    }

    /** Time until a new VolumeSnapshot is ready to use; zero by default. */
    public Builder snapshotDelay(Duration delay) {
      this.snapshotDelay = nonNegative(delay, "snapshotDelay");
      return this;
    }

    /** Threads that write to the API server; 4 by default. */
    public Builder writerThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("writerThreads must be positive, was " + threads);
      }
      this.writerThreads = threads;
      return this;
    }

    public ClusterSimulator build() {
      return new ClusterSimulator(this);
    }

    /** Builds and {@linkplain ClusterSimulator#start() starts}. */
    public ClusterSimulator start() {
      return build().start();
    }

    private static Duration nonNegative(Duration d, String field) {
      Objects.requireNonNull(d, field + " is null");
      if (d.isNegative()) {
        throw new IllegalArgumentException(field + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
