package dev.odc.testing.sim;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 *
 * <p>This class is the facade; each controller is a class of its own that owns its state: {@link
 * NodeAdmin}, {@link Scheduler}, {@link Kubelet} (with the fault injection), {@link
 * VolumeProvisioner}, {@link ServiceController} and {@link SnapshotController}, sharing the loop
 * thread and the informers' caches through {@link SimContext}.
 */
public final class ClusterSimulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterSimulator.class);

  /** Label and annotation on everything the simulator creates or drives. */
  public static final String SIMULATED = "odc.dev/simulated";

  public static final String GPU_RESOURCE = "nvidia.com/gpu";
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  public static final String DEFAULT_GPU_TYPE_LABEL = "odc.dev/gpu-type";
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

  private final String gpuTypeLabel;
  private final Duration startDelay;
  private final String namespace;
  private final SimContext context;
  private final NodeAdmin nodes;
  private final Kubelet kubelet;
  private final SnapshotController snapshots;
  private final VolumeProvisioner volumes;
  private final ServiceController services;
  private final Scheduler scheduler;
  private volatile boolean closed;

  private ClusterSimulator(Builder builder) {
    this.gpuTypeLabel = builder.gpuTypeLabel;
    this.startDelay = builder.startDelay;
    this.namespace = builder.namespace;
    this.context = new SimContext(builder.client, builder.namespace, builder.writerThreads);
    this.nodes = new NodeAdmin(builder.client, builder.gpuTypeLabel, builder.pools);
    this.kubelet = new Kubelet(context, builder.startDelay);
    this.snapshots = new SnapshotController(context, builder.snapshotDelay);
    this.volumes = new VolumeProvisioner(context, nodes);
    this.services = new ServiceController(context);
    this.scheduler = new Scheduler(context, nodes, volumes, kubelet);
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /**
   * Creates the configured nodes and starts watching; returns once every informer has its initial
   * list, so work submitted afterwards is seen.
   */
  public ClusterSimulator start() {
    nodes.addInitialNodes();
    context.watchNodes(context.handler(this::onNode, this::onNodeGone));
    context.watchClaims(context.handler(this::onClaim, x -> {}));
    context.watchSnapshots(context.handler(this::onSnapshot, snapshots::onSnapshotGone));
    context.watchServices(context.handler(services::onService, x -> {}));
    context.watchPods(context.handler(scheduler::onPod, scheduler::onPodGone));
    log.info(
        "Cluster simulator started: {} node pool(s), namespace {}, start delay {}",
        nodes.initialPoolCount(),
        namespace == null ? "(all)" : namespace,
        startDelay);
    return this;
  }

  // ---------------------------------------------------------------- events between controllers

  private void onNode(Node node) {
    nodes.onNode(node);
    scheduler.retryPending();
  }

  private void onNodeGone(Node node) {
    nodes.onNodeGone(node);
    scheduler.onNodeGone(node.getMetadata().getName());
  }

  private void onClaim(PersistentVolumeClaim pvc) {
    if (volumes.onClaim(pvc)) {
      scheduler.retryPending();
    }
  }

  /** A ready snapshot lets the claims restored from it be provisioned. */
  private void onSnapshot(GenericKubernetesResource snapshot) {
    if (snapshots.onSnapshot(snapshot)) {
      for (PersistentVolumeClaim pvc : context.claims()) {
        onClaim(pvc);
      }
    }
  }

  // ---------------------------------------------------------------- nodes

  /** Creates the nodes of {@code pool} and returns their names. */
  public List<String> addNodes(NodePool pool) {
    return nodes.addNodes(pool);
  }

  /** Deletes a node; like the pod garbage collector, its pods go with it. */
  public void removeNode(String name) {
    nodes.removeNode(name);
  }

  /** Flips the node's Ready condition; pods on a node that is not Ready stay where they are. */
  public void setNodeReady(String name, boolean ready) {
    nodes.setNodeReady(name, ready);
  }

  /** Marks the node (un)schedulable, as {@code kubectl cordon} does. */
  public void cordon(String name, boolean cordoned) {
    nodes.cordon(name, cordoned);
  }

  // ---------------------------------------------------------------- pod failures

  /**
   * Pods that match {@code which} and are not started yet play {@code failure} instead of starting,
   * until {@link #clearFailures()}.
   */
  public void injectFailure(Predicate<Pod> which, PodFailure failure) {
    kubelet.injectFailure(which, failure);
  }

  /** Removes every injected failure; pods already failing stay failed. */
  public void clearFailures() {
    kubelet.clearFailures();
  }

  /** Makes a pod that is already running fail now, for example a crash loop after a while. */
  public void failPod(String podNamespace, String podName, PodFailure failure) {
    kubelet.failPod(podNamespace, podName, failure);
  }

  // ---------------------------------------------------------------- statistics and lifecycle

  /** Pods bound to a node since start. */
  public long podsBound() {
    return scheduler.podsBound();
  }

  /** Pods marked Running and Ready since start. */
  public long podsStarted() {
    return kubelet.podsStarted();
  }

  /** PersistentVolumeClaims bound since start. */
  public long claimsBound() {
    return volumes.claimsBound();
  }

  /** VolumeSnapshots made ready since start. */
  public long snapshotsReady() {
    return snapshots.snapshotsReady();
  }

  /**
   * From now on, VolumeSnapshots that come due fail with {@code message} as their {@code
   * status.error} instead of becoming ready (as a CSI driver out of quota or permissions does);
   * null makes them succeed again.
   */
  public void failSnapshots(String message) {
    snapshots.failWith(message);
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
    context.close();
    log.info(
        "Cluster simulator stopped: {} pods bound, {} started, {} claims bound, {} snapshots ready",
        podsBound(),
        podsStarted(),
        claimsBound(),
        snapshotsReady());
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
