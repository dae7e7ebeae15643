package dev.odc.core;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A reservation of GPUs for a development server. Fields that only exist from some state on (pod,
 * ssh endpoint, timestamps) are null before it.
 *
 * @param hours the reserved duration, extensions included
 * @param warningsSent minutes-before-expiry thresholds whose warning was already delivered
 * @param version optimistic-locking counter, bumped by every update
 */
public record Reservation(
    UUID id,
    UUID userId,
    String username,
    String name,
    String gpuType,
    int gpuCount,
    int nodeCount,
    String image,
    double hours,
    String diskName,
    Map<String, String> labels,
    ReservationStatus status,
    String failureReason,
    Integer queuePosition,
    Instant estimatedStartAt,
    String namespace,
    String podName,
    String nodeName,
    String sshHost,
    Integer sshPort,
    Instant createdAt,
    Instant startedAt,
    Instant expiresAt,
    Instant endedAt,
    List<Integer> warningsSent,
    List<StatusChange> statusHistory,
    long version) {

  public Reservation {
    Checks.notNull(id, "id");
    Checks.notNull(userId, "userId");
    Checks.notBlank(username, "username");
    Checks.name(name, "name");
    Checks.notBlank(gpuType, "gpuType");
    Checks.nonNegative(gpuCount, "gpuCount");
    Checks.positive(nodeCount, "nodeCount");
    Checks.positive(hours, "hours");
    if (diskName != null) {
      Checks.name(diskName, "diskName");
    }
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    Checks.notNull(status, "status");
    Checks.notNull(createdAt, "createdAt");
    warningsSent = warningsSent == null ? List.of() : List.copyOf(warningsSent);
    statusHistory = statusHistory == null ? List.of() : List.copyOf(statusHistory);
    Checks.nonNegative(version, "version");
  }

  /** The first 8 characters of the id, which the CLI shows and accepts. */
  /** This reservation with another queue position and estimated start (null: none). */
  public Reservation withQueue(Integer position, Instant eta) {
    return new Reservation(
        id,
        userId,
        username,
        name,
        gpuType,
        gpuCount,
        nodeCount,
        image,
        hours,
        diskName,
        labels,
        status,
        failureReason,
        position,
        eta,
        namespace,
        podName,
        nodeName,
        sshHost,
        sshPort,
        createdAt,
        startedAt,
        expiresAt,
        endedAt,
        warningsSent,
        statusHistory,
        version);
  }

  public String shortId() {
    return id.toString().substring(0, 8);
  }

  /** GPUs across all nodes. */
  public int totalGpus() {
    return gpuCount * nodeCount;
  }

  /** The command that opens a shell on the server, once it is ACTIVE. */
  public String sshCommand() {
    if (sshHost == null || sshPort == null) {
      return null;
    }
    return "ssh -p " + sshPort + " dev@" + sshHost;
  }
}
