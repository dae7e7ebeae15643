package dev.odc.cronjobs.expiry;

import static java.util.Objects.requireNonNull;

import dev.odc.core.Labels;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the user inside their pod: a Kubernetes Event on the pod, and a file plus wall via exec.
 */
public class PodNotifier {
  private static final Logger log = LoggerFactory.getLogger(PodNotifier.class);

  public static final String EVENT_REASON = "ReservationExpiring";
  public static final String WARNING_FILE = "/tmp/odc-expiry-warning";

  private final KubernetesClient client;
  private final Duration execTimeout;

  public PodNotifier(KubernetesClient client, Duration execTimeout) {
    this.client = requireNonNull(client, "client is null");
    this.execTimeout = requireNonNull(execTimeout, "execTimeout is null");
  }

  /**
   * Creates the warning Event. Its name is derived from the pod, threshold and deadline, so
   * repeating the call after a crash finds the Event already there instead of making a second one.
   *
   * @return false when the Event existed already
   * @throws KubernetesClientException when the API server refuses or cannot be reached
   */
  public boolean createEvent(
      String namespace, String podName, int minutesBefore, Instant expiresAt, String message) {
    String name =
        (podName + ".odc-expiry-" + minutesBefore + "m-" + expiresAt.getEpochSecond())
            .toLowerCase(Locale.ROOT);
    Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
    String now = Instant.now().toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .addToLabels(Labels.MANAGED_BY, Labels.ODC)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withKind("Pod")
                          .withApiVersion("v1")
                          .withNamespace(namespace)
                          .withName(podName)
                          .withUid(pod == null ? null : pod.getMetadata().getUid())
                          .build())
                  .withReason(EVENT_REASON)
                  .withMessage(message)
                  .withType("Warning")
                  .withCount(1)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withNewSource()
                  .withComponent("odc-cronjobs")
                  .endSource()
                  .build())
          .create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Writes the message to {@value #WARNING_FILE} and broadcasts it with {@code wall}. Best effort:
   * images without a shell or wall, or clusters that forbid exec, only lose this channel.
   *
   * @return true when the command ran and exited 0
   */
  public boolean execWarning(String namespace, String podName, String message) {
    String quoted = "'" + message.replace("'", "'\\''") + "'";
    String script =
        "printf '%s\\n' "
            + quoted
            + " > "
            + WARNING_FILE
            + "; (command -v wall >/dev/null && printf '%s\\n' "
            + quoted
            + " | wall) || true";
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(podName)
            .redirectingOutput()
            .redirectingError()
            .exec("sh", "-c", script)) {
      Integer code = watch.exitCode().get(execTimeout.toMillis(), TimeUnit.MILLISECONDS);
      if (code == null || code != 0) {
        log.warn("warning exec in pod {}/{} exited with {}", namespace, podName, code);
        return false;
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | KubernetesClientException e) {
      log.warn("could not exec the warning in pod {}/{}: {}", namespace, podName, e.toString());
      return false;
    }
  }
}
