package dev.odc.cronjobs.expiry;

import static java.util.Objects.requireNonNull;

import dev.odc.core.AuditEvent;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.core.StatusChange;
import dev.odc.cronjobs.db.CronQueries;
import dev.odc.cronjobs.scheduler.CronTask;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.scheduler.PartialFailureException;
import dev.odc.cronjobs.scheduler.RunContext;
import dev.odc.database.AuditLog;
import dev.odc.database.ReservationDao;
import dev.odc.database.ReservationRows;
import dev.odc.database.Reservations;
import dev.odc.database.StaleUpdateException;
import dev.odc.database.pgmq.Pgmq;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns users before their reservation ends, expires it after the grace period, and ends
 * reservations stuck in PREPARING or QUEUED or whose pod vanished. Every reservation it ends gets,
 * in the transaction that ends it, an audit row and the EXPIRE or CANCEL message that has the
 * processor tear it down.
 *
 * <p>Idempotent: each warning threshold is marked in {@code warnings_sent} in the same transaction
 * that creates its (deterministically named) Event, and each expiry is recorded per deadline in the
 * transaction that ends the reservation and sends its EXPIRE, so a run that dies halfway is
 * completed by the next one without sending anything twice. Failures on one reservation do not stop
 * the others.
 */
public final class ExpiryJob implements CronTask {
  private static final Logger log = LoggerFactory.getLogger(ExpiryJob.class);

  public static final String NAME = "expiry";

  /** Who the audit rows and status changes of this job name. */
  public static final String ACTOR = "system:cronjobs:" + NAME;

  private final Jdbi jdbi;
  private final Reservations reservations;
  private final ReservationDao rows;
  private final CronQueries queries;
  private final KubernetesClient kubernetes;
  private final PodNotifier pods;
  private final Optional<WebhookNotifier> webhook;
  private final ExpirySettings settings;
  private final Clock clock;

  public ExpiryJob(
      Jdbi jdbi,
      KubernetesClient kubernetes,
      PodNotifier pods,
      Optional<WebhookNotifier> webhook,
      ExpirySettings settings,
      Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.reservations = new Reservations(jdbi, new Pgmq(jdbi), clock);
    this.rows = jdbi.onDemand(ReservationDao.class);
    this.queries = jdbi.onDemand(CronQueries.class);
    this.kubernetes = requireNonNull(kubernetes, "kubernetes is null");
    this.pods = requireNonNull(pods, "pods is null");
    this.webhook = requireNonNull(webhook, "webhook is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public JobReport run(RunContext context) {
    Instant now = clock.instant();
    JobReport.Builder report =
        new JobReport.Builder()
            .zero(
                "warnings_sent",
                "warnings_rearmed",
                "expire_enqueued",
                "preparing_failed",
                "queued_cancelled",
                "vanished",
                "errors");
    rearm(now, report);
    sendWarnings(now, report);
    enqueueExpiries(now, report);
    endStuck(ReservationStatus.PREPARING, settings.preparingLimit(), now, report);
    endStuck(ReservationStatus.QUEUED, settings.queuedLimit(), now, report);
    endVanished(now, report);
    if (report.get("errors") > 0) {
      // Surfaces in the run record and health check; what succeeded is committed already.
      throw new PartialFailureException(report.build());
    }
    return report.build();
  }

  /**
   * An extension moves {@code expires_at} later; thresholds sent for the old deadline that are now
   * in the future again are dropped from {@code warnings_sent} so they fire once more.
   */
  private void rearm(Instant now, JobReport.Builder report) {
    for (UUID id : queries.rearmMovedDeadlines(now)) {
      report.add("warnings_rearmed");
      log.info("re-armed expiry warnings of reservation {} (deadline moved)", id);
    }
  }

  private void sendWarnings(Instant now, JobReport.Builder report) {
    if (settings.warningMinutes().isEmpty()) {
      return;
    }
    int maxMinutes = settings.warningMinutes().stream().mapToInt(Integer::intValue).max().orElse(0);
    List<Reservation> soon =
        rows.listActiveExpiringBefore(now.plus(Duration.ofMinutes(maxMinutes)).plusSeconds(1));
    for (Reservation listed : soon) {
      if (dueThresholds(listed, now).isEmpty()) {
        continue; // nothing due as listed; a change since only moves the deadline away (re-armed)
      }
      try {
        Optional<Delivered> delivered = warnOne(listed.id(), now);
        delivered.ifPresent(
            d -> {
              report.add("warnings_sent");
              bestEffortChannels(d);
            });
      } catch (RuntimeException e) {
        report.add("errors");
        log.warn("could not warn reservation {}; the next run retries", listed.id(), e);
      }
    }
  }

  private record Delivered(Reservation reservation, int minutes, String message) {}

  /**
   * The warning thresholds (minutes) that are due for {@code r} at {@code now} and not sent yet,
   * most urgent first; none once the deadline has passed (expiry takes over).
   */
  private List<Integer> dueThresholds(Reservation r, Instant now) {
    if (r.expiresAt() == null) {
      return List.of();
    }
    long remaining = Duration.between(now, r.expiresAt()).toSeconds();
    if (remaining <= 0) {
      return List.of();
    }
    return settings.warningMinutes().stream()
        .filter(m -> remaining <= m * 60L && !r.warningsSent().contains(m))
        .sorted()
        .toList();
  }

  private Optional<Delivered> warnOne(UUID id, Instant now) {
    return jdbi.inTransaction(
        h -> {
          ReservationDao dao = h.attach(ReservationDao.class);
          Optional<Reservation> locked = dao.findByIdForUpdate(id);
          if (locked.isEmpty()
              || locked.get().status() != ReservationStatus.ACTIVE
              || locked.get().expiresAt() == null) {
            return Optional.empty();
          }
          Reservation r = locked.get();
          long remaining = Duration.between(now, r.expiresAt()).toSeconds();
          List<Integer> due = dueThresholds(r, now);
          if (due.isEmpty()) {
            return Optional.empty();
          }
          // One message, for the most urgent threshold: after downtime the user gets "5 minutes
          // left" once rather than three warnings at the same moment.
          int minutes = due.getFirst();
          for (int m : due) {
            dao.markWarningSent(id, m);
          }
          String message = message(r, remaining);
          if (r.namespace() != null && r.podName() != null) {
            pods.createEvent(r.namespace(), r.podName(), minutes, r.expiresAt(), message);
          }
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("minutesBefore", minutes);
          details.put("thresholds", due);
          details.put("expiresAt", r.expiresAt().toString());
          AuditLog.append(
              h,
              ACTOR,
              "reservation.warn",
              Reservations.RESOURCE_TYPE,
              id.toString(),
              AuditEvent.SUCCESS,
              details);
          return Optional.of(new Delivered(r, minutes, message));
        });
  }

  /** Exec and webhook run after the commit: slow or failing, they must not hold the row lock. */
  private void bestEffortChannels(Delivered d) {
    Reservation r = d.reservation();
    if (r.namespace() != null && r.podName() != null) {
      pods.execWarning(r.namespace(), r.podName(), d.message());
    }
    webhook.ifPresent(
        hook -> {
          Map<String, Object> fields = new LinkedHashMap<>();
          fields.put("reservationId", r.id().toString());
          fields.put("name", r.name());
          fields.put("user", r.username());
          fields.put("minutesBefore", d.minutes());
          fields.put("expiresAt", r.expiresAt().toString());
          try {
            hook.post(d.message(), fields);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException e) {
            log.warn("webhook warning for reservation {} failed: {}", r.id(), e.getMessage());
          }
        });
  }

  static String message(Reservation r, long remainingSeconds) {
    long minutes = Math.max(1, (remainingSeconds + 59) / 60);
    return "ODC reservation "
        + r.name()
        + " ("
        + r.shortId()
        + ") of "
        + r.username()
        + " expires in "
        + minutes
        + " minute"
        + (minutes == 1 ? "" : "s")
        + " at "
        + r.expiresAt()
        + ". Save your work, or extend it: gpu-dev extend "
        + r.shortId();
  }

  /**
   * Ends each ACTIVE reservation past its deadline and grace: in one transaction it moves the row
   * to EXPIRED, records the deadline in {@code cronjobs.expiry_enqueued}, sends EXPIRE (the
   * processor tears down pods, services, snapshots the disk and releases it; it does not move an
   * ended row again) and writes the {@code reservation.status} audit row, as {@code
   * Reservations.expire} does. The row must be EXPIRED before the teardown starts, or the
   * processor's pod watch sees the pods go from a still-ACTIVE reservation and fails it.
   */
  private void enqueueExpiries(Instant now, JobReport.Builder report) {
    Instant cutoff = now.minus(settings.grace());
    List<Reservation> due = rows.listActiveExpiringBefore(cutoff);
    for (Reservation listed : due) {
      try {
        Optional<Reservation> expired = expireOne(listed.id(), cutoff, now);
        if (expired.isPresent()) {
          report.add("expire_enqueued");
          log.info(
              "reservation {}: ACTIVE -> EXPIRED (expired at {}), EXPIRE enqueued",
              listed.id(),
              expired.get().expiresAt());
        }
      } catch (RuntimeException e) {
        report.add("errors");
        log.warn("could not expire reservation {}", listed.id(), e);
      }
    }
  }

  private Optional<Reservation> expireOne(UUID id, Instant cutoff, Instant now) {
    return jdbi.inTransaction(
        h -> {
          // Locked and read again: an extension or a cancel since the listing wins.
          Optional<Reservation> locked = ReservationRows.findByIdForUpdate(h, id);
          if (locked.isEmpty()
              || locked.get().status() != ReservationStatus.ACTIVE
              || locked.get().expiresAt() == null
              || !locked.get().expiresAt().isBefore(cutoff)) {
            return Optional.empty();
          }
          Reservation r = locked.get();
          CronQueries q = h.attach(CronQueries.class);
          if (!q.recordExpiryEnqueued(id, r.expiresAt())) {
            // An EXPIRE for this deadline was sent already (by a version of this job that left
            // the row ACTIVE for the processor to end): that message ends it.
            return Optional.empty();
          }
          String reason = "expired at " + r.expiresAt();
          Reservations.Ended ended =
              reservations.end(
                  h,
                  r,
                  ReservationStatus.EXPIRED,
                  ACTOR,
                  reason,
                  Map.of("expiresAt", r.expiresAt().toString()));
          q.setExpiryMessageId(id, r.expiresAt(), ended.messageId());
          return Optional.of(ended.reservation());
        });
  }

  private void endStuck(
      ReservationStatus status, Duration limit, Instant now, JobReport.Builder report) {
    ReservationStatus next =
        status == ReservationStatus.QUEUED ? ReservationStatus.CANCELLED : ReservationStatus.FAILED;
    String counter = status == ReservationStatus.QUEUED ? "queued_cancelled" : "preparing_failed";
    for (Reservation r : rows.listInStatus(status)) {
      Instant since = enteredCurrentStatus(r);
      if (!since.plus(limit).isBefore(now)) {
        continue;
      }
      String reason =
          status.name()
              + " for longer than "
              + limit.toMinutes()
              + " minutes (since "
              + since
              + ")";
      if (transition(r, next, reason, report)) {
        report.add(counter);
      }
    }
  }

  /** An ACTIVE reservation's pod, as the vanished-pod check needs it. */
  private record RunningPod(UUID id, String namespace, String podName) {}

  private void endVanished(Instant now, JobReport.Builder report) {
    // only the pod names, not the whole rows: the rows of the few whose pod is gone are read below
    List<RunningPod> active =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "select id, namespace, pod_name from reservations where status = 'ACTIVE'"
                            + " and namespace is not null and pod_name is not null"
                            + " and (started_at is null or started_at < :settled)")
                    .bind("settled", now.minus(settings.vanishedPodGrace()))
                    .map(
                        (rs, ctx) ->
                            new RunningPod(
                                rs.getObject("id", UUID.class),
                                rs.getString("namespace"),
                                rs.getString("pod_name")))
                    .list());
    Map<String, Set<String>> podsByNamespace = new HashMap<>();
    for (String ns : active.stream().map(RunningPod::namespace).collect(Collectors.toSet())) {
      try {
        podsByNamespace.put(
            ns,
            kubernetes.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(Pod::getMetadata)
                .map(m -> m.getName())
                .collect(Collectors.toCollection(HashSet::new)));
      } catch (RuntimeException e) {
        // Without a listing we cannot tell "vanished" from "not seen": decide nothing.
        report.add("errors");
        log.warn("could not list pods in namespace {}", ns, e);
      }
    }
    for (RunningPod pod : active) {
      Set<String> names = podsByNamespace.get(pod.namespace());
      if (names == null || names.contains(pod.podName())) {
        continue;
      }
      // the whole row now; a change since the listing shows in its status or in its version
      Optional<Reservation> found = jdbi.withHandle(h -> ReservationRows.findById(h, pod.id()));
      if (found.isEmpty() || found.get().status() != ReservationStatus.ACTIVE) {
        continue;
      }
      Reservation r = found.get();
      boolean pastExpiry = r.expiresAt() != null && !r.expiresAt().isAfter(now);
      ReservationStatus next = pastExpiry ? ReservationStatus.EXPIRED : ReservationStatus.FAILED;
      String reason = "pod " + r.namespace() + "/" + r.podName() + " vanished";
      if (transition(r, next, reason, report)) {
        report.add("vanished");
      }
    }
  }

  /**
   * Ends {@code r} as {@code next} through {@link Reservations#end}: the row, its {@code
   * reservation.status} audit row and the message that has the processor tear it down (EXPIRE for
   * EXPIRED, CANCEL otherwise) in one transaction.
   */
  private boolean transition(
      Reservation r, ReservationStatus next, String reason, JobReport.Builder report) {
    try {
      Reservations.Ended ended =
          jdbi.inTransaction(h -> reservations.end(h, r, next, ACTOR, reason, Map.of()));
      log.info(
          "reservation {}: {} -> {} ({}), message {} enqueued",
          r.id(),
          r.status(),
          next,
          reason,
          ended.messageId());
      return true;
    } catch (StaleUpdateException e) {
      // Someone (the processor, a user) changed it meanwhile; the next run looks again.
      log.info("reservation {} changed while ending it; leaving it to the next run", r.id());
      return false;
    } catch (RuntimeException e) {
      report.add("errors");
      log.warn("could not move reservation {} to {}", r.id(), next, e);
      return false;
    }
  }

  /** When {@code r} entered its current status: the last matching history step, else creation. */
  static Instant enteredCurrentStatus(Reservation r) {
    List<StatusChange> history = r.statusHistory();
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).status() == r.status()) {
        return history.get(i).at();
      }
    }
    return r.createdAt();
  }
}
