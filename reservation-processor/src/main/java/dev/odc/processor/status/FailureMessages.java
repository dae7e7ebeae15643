package dev.odc.processor.status;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The reasons a user reads when a reservation fails: plain words, with what to check. */
public final class FailureMessages {
  private FailureMessages() {}

  /** A pod failure in words a user understands, or empty when the pod is fine or still starting. */
  public static Optional<String> failureOf(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    if ("Failed".equals(pod.getStatus().getPhase())) {
      return Optional.of(
          "the server stopped: "
              + Objects.toString(pod.getStatus().getReason(), "")
              + " "
              + Objects.toString(pod.getStatus().getMessage(), ""));
    }
    if (pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (var s : pod.getStatus().getContainerStatuses()) {
      if (s.getState() == null || s.getState().getWaiting() == null) {
        continue;
      }
      String reason = Objects.toString(s.getState().getWaiting().getReason(), "");
      String image = s.getImage();
      switch (reason) {
        case "ErrImagePull", "ImagePullBackOff", "InvalidImageName" -> {
          return Optional.of(
              "the image '"
                  + image
                  + "' could not be pulled: check its name and tag, and that the cluster may"
                  + " read it ("
                  + reason
                  + ")");
        }
        case "CrashLoopBackOff" -> {
          return Optional.of(
              "the server's container keeps crashing right after it starts (CrashLoopBackOff,"
                  + " restarted "
                  + s.getRestartCount()
                  + " times): the image may not run sshd");
        }
        case "CreateContainerConfigError", "CreateContainerError" -> {
          return Optional.of(
              "the server's container could not be created ("
                  + reason
                  + "): "
                  + Objects.toString(s.getState().getWaiting().getMessage(), ""));
        }
        default -> {}
      }
    }
    return Optional.empty();
  }

  /** "10 minutes", "3 seconds": a limit as a user reads it. */
  public static String humanize(Duration d) {
    if (d.toMinutes() >= 1 && d.toSecondsPart() == 0) {
      return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
    return d.toSeconds() + (d.toSeconds() == 1 ? " second" : " seconds");
  }

  /** An exception's message, or its type when it has none. */
  public static String describe(Exception e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
