package dev.odc.database;

import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Field updates that go with a status transition ({@link Reservations#transition}): pod and node,
 * ssh endpoint, queue position, times. Unset fields keep their value; {@link #clearQueuePosition}
 * and {@link #clearEstimatedStart} clear theirs.
 *
 * <pre>{@code
 * new ReservationChanges().pod("odc-reservations", "odc-1a2b3c4d", "node-7").ssh("10.0.0.7", 31022)
 * }</pre>
 */
public final class ReservationChanges {
  private String namespace;
  private String podName;
  private String nodeName;
  private String sshHost;
  private Integer sshPort;
  private Integer queuePosition;
  private boolean clearQueuePosition;
  private Instant estimatedStartAt;
  private boolean clearEstimatedStart;
  private Instant startedAt;
  private Instant expiresAt;
  private String failureReason;

  public static ReservationChanges none() {
    return new ReservationChanges();
  }

  public ReservationChanges pod(String namespace, String podName, String nodeName) {
    this.namespace = namespace;
    this.podName = podName;
    this.nodeName = nodeName;
    return this;
  }

  public ReservationChanges ssh(String host, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("sshPort must be between 1 and 65535, was " + port);
    }
    this.sshHost = host;
    this.sshPort = port;
    return this;
  }

  public ReservationChanges queuePosition(int position, Instant estimatedStart) {
    if (position < 1) {
      throw new IllegalArgumentException("queuePosition must be positive, was " + position);
    }
    this.queuePosition = position;
    this.estimatedStartAt = estimatedStart;
    return this;
  }

  public ReservationChanges clearQueuePosition() {
    this.clearQueuePosition = true;
    return this;
  }

  public ReservationChanges clearEstimatedStart() {
    this.clearEstimatedStart = true;
    return this;
  }

  /** When the server became usable; set by default on the move to ACTIVE. */
  public ReservationChanges startedAt(Instant at) {
    this.startedAt = at;
    return this;
  }

  /** Set by default on the move to ACTIVE: start plus the reserved hours. */
  public ReservationChanges expiresAt(Instant at) {
    this.expiresAt = at;
    return this;
  }

  /** Why it failed; on a move to FAILED the transition's reason is used when this is unset. */
  public ReservationChanges failureReason(String reason) {
    this.failureReason = reason;
    return this;
  }

  /**
   * The reservation after moving to {@code to} at {@code now} with these changes: status history
   * appended, {@code startedAt}/{@code expiresAt} set on ACTIVE, {@code endedAt} on a terminal
   * state, queue position cleared when leaving QUEUED. Does not check the transition.
   */
  Reservation applyTo(
      Reservation r, ReservationStatus to, Instant now, String actor, String reason) {
    List<StatusChange> history = new ArrayList<>(r.statusHistory());
    history.add(new StatusChange(to, now, actor, reason));
    Integer position = r.queuePosition();
    Instant eta = r.estimatedStartAt();
    if (to != ReservationStatus.QUEUED) {
      position = null;
      eta = null;
    }
    if (queuePosition != null) {
      position = queuePosition;
      eta = estimatedStartAt;
    }
    if (clearQueuePosition) {
      position = null;
    }
    if (clearEstimatedStart) {
      eta = null;
    }
    Instant started = startedAt != null ? startedAt : r.startedAt();
    Instant expires = expiresAt != null ? expiresAt : r.expiresAt();
    if (to == ReservationStatus.ACTIVE) {
      if (started == null) {
        started = now;
      }
      if (expires == null) {
        expires = started.plusMillis(Math.round(r.hours() * 3_600_000d));
      }
    }
    String failure = failureReason != null ? failureReason : r.failureReason();
    if (to == ReservationStatus.FAILED && failure == null) {
      failure = reason;
    }
    return new Reservation(
        r.id(),
        r.userId(),
        r.username(),
        r.name(),
        r.gpuType(),
        r.gpuCount(),
        r.nodeCount(),
        r.image(),
        r.hours(),
        r.diskName(),
        r.labels(),
        to,
        failure,
        position,
        eta,
        namespace != null ? namespace : r.namespace(),
        podName != null ? podName : r.podName(),
        nodeName != null ? nodeName : r.nodeName(),
        sshHost != null ? sshHost : r.sshHost(),
        sshPort != null ? sshPort : r.sshPort(),
        r.createdAt(),
        started,
        expires,
        to.isTerminal() ? now : r.endedAt(),
        r.warningsSent(),
        history,
        r.version());
  }
}
