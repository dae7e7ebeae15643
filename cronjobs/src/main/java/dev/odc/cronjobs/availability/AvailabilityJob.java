package dev.odc.cronjobs.availability;

import static java.util.Objects.requireNonNull;

import dev.odc.core.AuditEvent;
import dev.odc.core.Checks;
import dev.odc.core.GpuType;
import dev.odc.core.Reservation;
import dev.odc.cronjobs.availability.AvailabilityCalculator.GpuTypeSpec;
import dev.odc.cronjobs.availability.AvailabilityCalculator.NodeInfo;
import dev.odc.cronjobs.availability.AvailabilityCalculator.PodInfo;
import dev.odc.cronjobs.availability.AvailabilityCalculator.ReservationInfo;
import dev.odc.cronjobs.scheduler.CronTask;
import dev.odc.cronjobs.scheduler.JobReport;
import dev.odc.cronjobs.scheduler.RunContext;
import dev.odc.database.AuditLog;
import dev.odc.database.GpuTypeDao;
import dev.odc.database.ReservationDao;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Measures GPU availability per type from the cluster and writes it to {@code gpu_types}, where the
 * API's {@code /v1/availability} reads it. An audit row is written only when a type's counts
 * change, so an idle cluster does not fill the audit log every 30 seconds.
 */
public final class AvailabilityJob implements CronTask {
  public static final String NAME = "availability";

  /** Who the audit rows of this job name. */
  public static final String ACTOR = "system:cronjobs:" + NAME;

  private final Jdbi jdbi;
  private final ReservationDao rows;
  private final KubernetesClient kubernetes;
  private final String gpuTypeLabelKey;
  private final AvailabilityCalculator calculator = new AvailabilityCalculator();
  private final Clock clock;

  public AvailabilityJob(
      Jdbi jdbi, KubernetesClient kubernetes, String gpuTypeLabelKey, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.rows = jdbi.onDemand(ReservationDao.class);
    this.kubernetes = requireNonNull(kubernetes, "kubernetes is null");
    this.gpuTypeLabelKey = Checks.notBlank(gpuTypeLabelKey, "gpuTypeLabelKey");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public JobReport run(RunContext context) {
    Instant now = clock.instant();
    List<NodeInfo> nodes =
        kubernetes.nodes().withLabel(gpuTypeLabelKey).list().getItems().stream()
            .map(n -> ClusterView.node(n, gpuTypeLabelKey))
            .toList();
    Set<String> gpuNodes = new HashSet<>();
    nodes.forEach(n -> gpuNodes.add(n.name()));
    // GPUs held by any pod count, ODC's or not: all of them take capacity away.
    List<PodInfo> pods =
        kubernetes.pods().inAnyNamespace().list().getItems().stream()
            .map(ClusterView::pod)
            .filter(p -> p.nodeName() != null && gpuNodes.contains(p.nodeName()))
            .toList();
    List<ReservationInfo> reservations =
        rows.listLive().stream().map(AvailabilityJob::info).toList();
    return jdbi.inTransaction(
        h -> {
          GpuTypeDao dao = h.attach(GpuTypeDao.class);
          List<GpuType> before = dao.list();
          Map<String, GpuType> old =
              before.stream().collect(Collectors.toMap(GpuType::name, Function.identity()));
          List<GpuType> rows =
              calculator.compute(
                  before.stream().map(GpuTypeSpec::of).toList(), nodes, pods, reservations, now);
          JobReport.Builder report =
              new JobReport.Builder().zero("types", "changed").add("nodes", nodes.size());
          for (GpuType row : rows) {
            dao.updateAvailability(row);
            report.add("types").add("gpus_total", row.totalGpus()).add("gpus_free", row.freeGpus());
            GpuType previous = old.get(row.name());
            if (previous == null || changed(previous, row)) {
              report.add("changed");
              Map<String, Object> details = new LinkedHashMap<>();
              details.put("total", row.totalGpus());
              details.put("inUse", row.inUseGpus());
              details.put("free", row.freeGpus());
              details.put("fullNodesFree", row.fullNodesFree());
              details.put("maxReservable", row.maxReservable());
              details.put("queued", row.queued());
              AuditLog.append(
                  h,
                  ACTOR,
                  "gpu_type.availability",
                  "gpu_type",
                  row.name(),
                  AuditEvent.SUCCESS,
                  details);
            }
          }
          return report.build();
        });
  }

  private static ReservationInfo info(Reservation r) {
    return new ReservationInfo(r.gpuType(), r.status(), r.totalGpus(), r.expiresAt());
  }

  private static boolean changed(GpuType a, GpuType b) {
    return a.totalGpus() != b.totalGpus()
        || a.inUseGpus() != b.inUseGpus()
        || a.freeGpus() != b.freeGpus()
        || a.fullNodesFree() != b.fullNodesFree()
        || a.maxReservable() != b.maxReservable()
        || a.queued() != b.queued();
  }
}
