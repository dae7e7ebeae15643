package dev.odc.processor.provisioning;

import dev.odc.core.Disk;
import dev.odc.core.Reservation;
import dev.odc.core.ReservationStatus;
import dev.odc.processor.ProcessorSettings;
import dev.odc.processor.ReservationReads;
import dev.odc.processor.SshKeySource;
import dev.odc.processor.Step;
import dev.odc.processor.Steps;
import dev.odc.processor.placement.NodeView;
import dev.odc.processor.placement.Placement;
import dev.odc.processor.queue.Admission;
import dev.odc.processor.status.StatusReconciler;
import dev.odc.processor.teardown.Teardown;
import dev.odc.providers.StorageBackend;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * PROVISION: admits the reservation (or queues it), then makes what it needs, each step idempotent
 * and named after the reservation: disk lock, home claim, shared claim, owner, services, pods. The
 * move to ACTIVE is the {@link StatusReconciler}'s once the pods are ready.
 */
public final class Provisioner {
  private final ReservationReads reads;
  private final Admission admission;
  private final Steps steps;
  private final HomeDisk homeDisk;
  private final OwnerConfigMap owner;
  private final ReservationServices services;
  private final ServerPods pods;
  private final StorageBackend storage;
  private final SshKeySource keys;
  private final Teardown teardown;
  private final StatusReconciler status;
  private final ProcessorSettings settings;

  public Provisioner(
      ReservationReads reads,
      Admission admission,
      Steps steps,
      HomeDisk homeDisk,
      OwnerConfigMap owner,
      ReservationServices services,
      ServerPods pods,
      StorageBackend storage,
      SshKeySource keys,
      Teardown teardown,
      StatusReconciler status,
      ProcessorSettings settings) {
    this.reads = Objects.requireNonNull(reads, "reads is null");
    this.admission = Objects.requireNonNull(admission, "admission is null");
    this.steps = Objects.requireNonNull(steps, "steps is null");
    this.homeDisk = Objects.requireNonNull(homeDisk, "homeDisk is null");
    this.owner = Objects.requireNonNull(owner, "owner is null");
    this.services = Objects.requireNonNull(services, "services is null");
    this.pods = Objects.requireNonNull(pods, "pods is null");
    this.storage = Objects.requireNonNull(storage, "storage is null");
    this.keys = Objects.requireNonNull(keys, "keys is null");
    this.teardown = Objects.requireNonNull(teardown, "teardown is null");
    this.status = Objects.requireNonNull(status, "status is null");
    this.settings = Objects.requireNonNull(settings, "settings is null");
  }

  public void provision(UUID id) {
    Reservation r = reads.reload(id);
    if (r.status().isTerminal()) {
      // a cancel may have raced the provisioning: make sure nothing is left
      teardown.cleanup(r);
      return;
    }
    if (r.status() == ReservationStatus.ACTIVE) {
      return;
    }
    steps.before(Step.CAPACITY, r);
    Optional<Placement> placement = admission.decide(r);
    if (placement.isEmpty()) {
      return;
    }
    r = reads.reload(id);
    if (r.status() != ReservationStatus.PREPARING) {
      if (r.status().isTerminal()) {
        teardown.cleanup(r);
      }
      return;
    }
    try {
      prepare(r, placement.get());
    } catch (HomeDisk.DiskUnavailableException e) {
      teardown.fail(id, e.getMessage());
      return;
    }
    r = reads.reload(id);
    if (r.status().isTerminal()) {
      teardown.cleanup(r);
      return;
    }
    status.reconcile(id);
  }

  /** The idempotent PREPARING steps: disk, owner, services, pods. */
  private void prepare(Reservation r, Placement p) {
    String zone = p.zone();
    steps.before(Step.DISK_LOCK, r);
    Optional<Disk> disk = homeDisk.lock(r);
    steps.before(Step.CLAIM, r);
    String homeClaim = disk.map(d -> homeDisk.claim(r, d, zone)).orElse(null);
    String sharedClaim = null;
    if (settings.sharedVolumeClass() != null) {
      var shared =
          SharedClaim.desired(
              r, settings.namespace(), settings.defaultDiskSizeGb(), settings.sharedVolumeClass());
      storage.ensureClaim(shared);
      sharedClaim = shared.name();
    }
    steps.before(Step.OWNER, r);
    ConfigMap ownerMap = owner.ensure(r, zone);
    OwnerReference ref = OwnerConfigMap.ownerReference(ownerMap);
    steps.before(Step.SERVICES, r);
    services.ensure(r, ref);
    steps.before(Step.PODS, r);
    List<String> sshKeys = keys.keysFor(r.username());
    NodeView nodeView = p.nodes().isEmpty() ? null : p.nodes().get(0);
    String image = r.image() == null || r.image().isBlank() ? settings.defaultImage() : r.image();
    pods.ensure(r, image, nodeView, zone, homeClaim, sharedClaim, sshKeys, ref);
  }
}
