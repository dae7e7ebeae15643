package dev.odc.testing.sim;

import static dev.odc.testing.sim.SimContext.MERGE;
import static dev.odc.testing.sim.SimContext.json;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of every simulated node: marks bound pods Running and Ready after the start delay, or
 * plays an injected {@link PodFailure} instead.
 */
final class Kubelet {
  private static final Logger log = LoggerFactory.getLogger(ClusterSimulator.class);

  private final SimContext context;
  private final Duration startDelay;
  private final List<FailureRule> failureRules = new CopyOnWriteArrayList<>();
  private final AtomicLong podsStarted = new AtomicLong();

  // loop: pods whose start is scheduled or done
  private final Set<String> started = new HashSet<>();

  Kubelet(SimContext context, Duration startDelay) {
    this.context = context;
    this.startDelay = startDelay;
  }

  /**
   * Pods that match {@code which} and are not started yet play {@code failure} instead of starting,
   * until {@link #clearFailures()}.
   */
  void injectFailure(Predicate<Pod> which, PodFailure failure) {
    failureRules.add(new FailureRule(Objects.requireNonNull(which, "which is null"), failure));
  }

  /** Removes every injected failure; pods already failing stay failed. */
  void clearFailures() {
    failureRules.clear();
  }

  /** Makes a pod that is already running fail now, for example a crash loop after a while. */
  void failPod(String podNamespace, String podName, PodFailure failure) {
    Pod pod = context.client.pods().inNamespace(podNamespace).withName(podName).get();
    if (pod == null) {
      throw new IllegalArgumentException("no pod " + podNamespace + "/" + podName);
    }
    context.write("fail pod " + podNamespace + "/" + podName, () -> applyFailure(pod, failure));
  }

  /** True when a pod bound now starts at once, with no Pending status in between. */
  boolean startsAtOnce(Pod pod) {
    return startDelay.isZero() && failureRules.stream().noneMatch(r -> r.which().test(pod));
  }

  /**
   * The scheduler is binding the pod: its start is this kubelet's from now on, so the pod's updates
   * before the bind is done do not start it a second time.
   */
  void take(String uid) {
    started.add(uid);
  }

  /**
   * A pod that is bound to a node (by the scheduler or anyone else) starts unless it runs, fails or
   * is starting already.
   */
  void onBoundPod(Pod pod, Supplier<Optional<String>> hostIp) {
    String uid = pod.getMetadata().getUid();
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (!"Running".equals(phase) && !hasFailure(pod) && started.add(uid)) {
      scheduleStart(PodKey.of(pod), hostIp);
    }
  }

  void onPodGone(String uid) {
    started.remove(uid);
  }

  /**
   * Starts the pod after the start delay on the node {@code hostIp} names then; nothing when it is
   * empty by then (the pod was deleted meanwhile).
   */
  void scheduleStart(PodKey key, Supplier<Optional<String>> hostIp) {
    context.after(
        startDelay,
        () ->
            hostIp
                .get()
                .ifPresent(ip -> context.write("start pod " + key, () -> startPod(key, ip))));
  }

  /** Pods marked Running and Ready since start. */
  long podsStarted() {
    return podsStarted.get();
  }

  private void startPod(PodKey key, String hostIp) {
    Pod pod = context.pod(key);
    if (pod == null) {
      return;
    }
    Optional<PodFailure> failure =
        failureRules.stream()
            .filter(r -> r.which().test(pod))
            .map(FailureRule::failure)
            .findFirst();
    if (failure.isPresent()) {
      applyFailure(pod, failure.get());
      return;
    }
    String now = Instant.now().toString();
    String podIp =
        "10.244." + Math.floorMod(key.hashCode(), 250) + "." + (podsStarted.get() % 250 + 2);
    List<PodCondition> conditions = new ArrayList<>();
    for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
      conditions.add(PodConditions.condition(type, "True", null, null));
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
    context
        .client
        .pods()
        .inNamespace(key.namespace())
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
      PodKey key, String phase, String reason, int restarts, Function<String, String> message) {
    context.editPodStatus(
        key,
        p -> {
          var status = PodConditions.ensureStatus(p);
          status.setPhase(phase);
          PodConditions.set(p, PodConditions.condition("PodScheduled", "True", null, null));
          PodConditions.set(
              p,
              PodConditions.condition(
                  "ContainersReady",
                  "False",
                  "ContainersNotReady",
                  "containers with unready status"));
          PodConditions.set(
              p,
              PodConditions.condition(
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

  static boolean hasFailure(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getContainerStatuses() != null
        && pod.getStatus().getContainerStatuses().stream()
            .anyMatch(s -> s.getState() != null && s.getState().getWaiting() != null);
  }

  private record FailureRule(Predicate<Pod> which, PodFailure failure) {}
}
