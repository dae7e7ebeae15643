package dev.odc.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code podman run} arguments that run the first container of a Kubernetes pod spec the way a
 * kubelet would from that spec: its command and args, its environment, its user, read-only root,
 * dropped capabilities, no privilege escalation and memory limit, and its volumes at their mount
 * paths. What a kubelet resolves from the cluster the test supplies: a host folder for each
 * ConfigMap, Secret or PersistentVolumeClaim volume, and a value for each {@code valueFrom}
 * variable; one left out fails, so a spec that gains a volume or a secret cannot be run half-way.
 * EmptyDirs become tmpfs mounts.
 */
final class PodmanPod {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PodSpec spec;
  private final Container container;
  private final Map<String, Path> volumes = new LinkedHashMap<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<String> options = new ArrayList<>();

  PodmanPod(PodSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec is null");
    this.container = spec.getContainers().get(0);
  }

  /** The host folder standing in for the pod's volume {@code name}. */
  PodmanPod volume(String name, Path hostFolder) {
    volumes.put(name, hostFolder);
    return this;
  }

  /** Sets (or replaces) an environment variable, e.g. one the spec takes from a Secret. */
  PodmanPod env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Extra {@code podman run} options, e.g. the network. */
  PodmanPod options(String... more) {
    options.addAll(List.of(more));
    return this;
  }

  Container container() {
    return container;
  }

  /** {@code run --rm --name NAME ... IMAGE [args]}: the arguments after {@code podman}. */
  List<String> runArguments(String name, String image) {
    List<String> args = new ArrayList<>(List.of("run", "--rm", "--name", name));
    args.addAll(options);
    security(args);
    Quantity memory =
        container.getResources() == null || container.getResources().getLimits() == null
            ? null
            : container.getResources().getLimits().get("memory");
    if (memory != null) {
      args.add("--memory=" + Quantity.getAmountInBytes(memory).toBigInteger());
    }
    Map<String, String> resolved = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
      if (var.getValueFrom() != null && !env.containsKey(var.getName())) {
        throw new IllegalStateException(
            "the spec takes "
                + var.getName()
                + " from the cluster ("
                + var.getValueFrom()
                + "): give the test's value with env()");
      }
      resolved.put(var.getName(), var.getValue() == null ? "" : var.getValue());
    }
    resolved.putAll(env);
    resolved.forEach((k, v) -> args.add("--env=" + k + "=" + v));
    for (VolumeMount mount : container.getVolumeMounts()) {
      args.add(mount(mount));
    }
    if (container.getCommand() != null && !container.getCommand().isEmpty()) {
      try {
        args.add("--entrypoint=" + JSON.writeValueAsString(container.getCommand()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    args.add(image);
    if (container.getArgs() != null) {
      args.addAll(container.getArgs());
    }
    return args;
  }

  private void security(List<String> args) {
    PodSecurityContext pod = spec.getSecurityContext();
    SecurityContext own = container.getSecurityContext();
    Long user = own != null && own.getRunAsUser() != null ? own.getRunAsUser() : null;
    Long group = own != null && own.getRunAsGroup() != null ? own.getRunAsGroup() : null;
    if (pod != null) {
      user = user == null ? pod.getRunAsUser() : user;
      group = group == null ? pod.getRunAsGroup() : group;
      if (pod.getFsGroup() != null) {
        args.add("--group-add=" + pod.getFsGroup());
      }
    }
    if (user != null) {
      args.add("--user=" + user + (group == null ? "" : ":" + group));
    }
    if (own == null) {
      return;
    }
    if (Boolean.TRUE.equals(own.getReadOnlyRootFilesystem())) {
      args.add("--read-only");
    }
    if (Boolean.FALSE.equals(own.getAllowPrivilegeEscalation())) {
      args.add("--security-opt=no-new-privileges");
    }
    Capabilities caps = own.getCapabilities();
    if (caps != null) {
      caps.getDrop().forEach(c -> args.add("--cap-drop=" + c));
      caps.getAdd().forEach(c -> args.add("--cap-add=" + c));
    }
  }

  private String mount(VolumeMount mount) {
    Volume volume =
        spec.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no volume " + mount.getName() + " in the spec"));
    if (volume.getEmptyDir() != null) {
      // exec: like an emptyDir, and the JVM loads native libraries it unpacks into /tmp
      return "--tmpfs=" + mount.getMountPath() + ":rw,exec,mode=1777";
    }
    Path host = volumes.get(volume.getName());
    if (host == null) {
      throw new IllegalStateException(
          "volume " + volume.getName() + " needs a host folder: give it with volume()");
    }
    boolean readOnly =
        Boolean.TRUE.equals(mount.getReadOnly())
            || volume.getConfigMap() != null
            || volume.getSecret() != null;
    return "--volume=" + host + ":" + mount.getMountPath() + (readOnly ? ":ro" : "");
  }
}
