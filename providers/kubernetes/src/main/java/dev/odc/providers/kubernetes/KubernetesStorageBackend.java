package dev.odc.providers.kubernetes;

import dev.odc.core.Labels;
import dev.odc.providers.ClaimPhase;
import dev.odc.providers.ClaimSpec;
import dev.odc.providers.InvalidRequestException;
import dev.odc.providers.ProviderTimeoutException;
import dev.odc.providers.ResourceNotFoundException;
import dev.odc.providers.SnapshotSpec;
import dev.odc.providers.StorageBackend;
import dev.odc.providers.StorageException;
import dev.odc.providers.StorageFactory;
import dev.odc.providers.VolumeClaim;
import dev.odc.providers.VolumeSnapshotInfo;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StorageBackend} over the Kubernetes API: PersistentVolumeClaims and CSI {@code
 * snapshot.storage.k8s.io/v1} VolumeSnapshots, read and written as generic resources so no snapshot
 * CRD client is needed. This is the whole storage story of the {@code custom} provider and the
 * Kubernetes half of the aws and gcp ones.
 *
 * <p>Zones: a claim with a zone gets the annotation {@value #ZONE_ANNOTATION}. PVCs have no zone
 * field; with a {@code WaitForFirstConsumer} StorageClass the CSI provisioner creates the volume in
 * the zone of the node the pod lands on, so the processor puts a node affinity for this zone on the
 * pod, and the annotation is how it (and cleanup jobs) know which zone that is.
 */
public final class KubernetesStorageBackend implements StorageBackend {
  private static final Logger log = LoggerFactory.getLogger(KubernetesStorageBackend.class);

  /** Annotation recording the zone ODC asked for. */
  public static final String ZONE_ANNOTATION = Labels.ZONE_ANNOTATION;

  public static final String SNAPSHOT_GROUP = "snapshot.storage.k8s.io";
  public static final String SNAPSHOT_API_VERSION = SNAPSHOT_GROUP + "/v1";

  public static final ResourceDefinitionContext VOLUME_SNAPSHOTS =
      new ResourceDefinitionContext.Builder()
          .withGroup(SNAPSHOT_GROUP)
          .withVersion("v1")
          .withKind("VolumeSnapshot")
          .withPlural("volumesnapshots")
          .withNamespaced(true)
          .build();

  public static final ResourceDefinitionContext VOLUME_SNAPSHOT_CONTENTS =
      new ResourceDefinitionContext.Builder()
          .withGroup(SNAPSHOT_GROUP)
          .withVersion("v1")
          .withKind("VolumeSnapshotContent")
          .withPlural("volumesnapshotcontents")
          .withNamespaced(false)
          .build();

  private static final BigDecimal GIB = BigDecimal.valueOf(1024L * 1024L * 1024L);

  /** How long a listing of the nodes' zones is trusted before a zoned claim lists them again. */
  public static final Duration ZONE_CACHE_TTL = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final StorageFactory config;
  private final long zoneCacheTtlNanos;
  private final LongSupplier nanoTime;
  private final Object zoneLock = new Object();

  /** The zones seen by the last node listing, and when ({@link #nanoTime}) it was made. */
  private record ZoneListing(Set<String> zones, long listedAt) {}

  private volatile ZoneListing zoneListing;

  public KubernetesStorageBackend(KubernetesClient client, StorageFactory config) {
    this(client, config, ZONE_CACHE_TTL, System::nanoTime);
  }

  KubernetesStorageBackend(
      KubernetesClient client,
      StorageFactory config,
      Duration zoneCacheTtl,
      LongSupplier nanoTime) {
    this.client = Objects.requireNonNull(client, "client is null");
    this.config = Objects.requireNonNull(config, "config is null");
    this.zoneCacheTtlNanos = zoneCacheTtl.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime is null");
  }

  @Override
  public VolumeClaim ensureClaim(ClaimSpec spec) {
    String id = spec.namespace() + "/" + spec.name();
    // Create first: the common case is a new claim, which then costs one request (plus a node
    // listing when the zone cache is cold or stale). A claim that already exists answers 409 and
    // is read back. The checks below make no request on their usual path; when one fails, an
    // existing claim still wins, as it did when the claim was read before anything else.
    try {
      return createClaim(id, spec);
    } catch (InvalidRequestException | ResourceNotFoundException e) {
      Optional<VolumeClaim> existing = findClaim(spec.namespace(), spec.name());
      if (existing.isPresent()) {
        return existing.get();
      }
      throw e;
    }
  }

  private VolumeClaim createClaim(String id, ClaimSpec spec) {
    if (spec.zone() != null) {
      checkZone(id, spec.zone());
    }
    PersistentVolumeClaimSpecBuilder pvcSpec =
        new PersistentVolumeClaimSpecBuilder()
            .withAccessModes("ReadWriteOnce")
            .withNewResources()
            .addToRequests("storage", new Quantity(spec.sizeGb() + "Gi"))
            .endResources();
    spec.storageClassName().or(config::storageClassName).ifPresent(pvcSpec::withStorageClassName);
    if (spec.fromSnapshot() != null) {
      VolumeSnapshotInfo source =
          findSnapshot(spec.namespace(), spec.fromSnapshot())
              .orElseThrow(
                  () ->
                      new ResourceNotFoundException(
                          spec.namespace() + "/" + spec.fromSnapshot(),
                          "cannot restore claim "
                              + id
                              + ": snapshot "
                              + spec.fromSnapshot()
                              + " does not exist"));
      Optional<Integer> needed = source.restoreSizeGb();
      if (needed.isPresent() && needed.get() > spec.sizeGb()) {
        throw new InvalidRequestException(
            id,
            "claim "
                + id
                + " asks for "
                + spec.sizeGb()
                + " GiB but snapshot "
                + spec.fromSnapshot()
                + " needs at least "
                + needed.get()
                + " GiB");
      }
      pvcSpec
          .withNewDataSource()
          .withApiGroup(SNAPSHOT_GROUP)
          .withKind("VolumeSnapshot")
          .withName(spec.fromSnapshot())
          .endDataSource();
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    spec.zoneName().ifPresent(z -> annotations.put(ZONE_ANNOTATION, z));
    PersistentVolumeClaim pvc =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withNamespace(spec.namespace())
            .withName(spec.name())
            .withLabels(spec.labels())
            .withAnnotations(annotations)
            .endMetadata()
            .withSpec(pvcSpec.build())
            .build();
    try {
      PersistentVolumeClaim created =
          client.persistentVolumeClaims().inNamespace(spec.namespace()).resource(pvc).create();
      log.info(
          "Created claim {} ({} GiB, zone {}, from snapshot {})",
          id,
          spec.sizeGb(),
          spec.zone(),
          spec.fromSnapshot());
      return toClaim(created);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // Another delivery of the same message won the race; its claim is ours too.
        return findClaim(spec.namespace(), spec.name())
            .orElseThrow(() -> failure(id, "create claim", e));
      }
      throw failure(id, "create claim", e);
    }
  }

  @Override
  public Optional<VolumeClaim> findClaim(String namespace, String name) {
    String id = namespace + "/" + name;
    return call(
            id,
            "read claim",
            () -> client.persistentVolumeClaims().inNamespace(namespace).withName(name).get())
        .map(KubernetesStorageBackend::toClaim);
  }

  @Override
  public VolumeClaim resizeClaim(String namespace, String name, int newSizeGb) {
    String id = namespace + "/" + name;
    if (newSizeGb < 1) {
      throw new InvalidRequestException(id, "newSizeGb must be at least 1, was " + newSizeGb);
    }
    VolumeClaim current =
        findClaim(namespace, name)
            .orElseThrow(
                () -> new ResourceNotFoundException(id, "claim " + id + " does not exist"));
    if (newSizeGb < current.sizeGb()) {
      throw new InvalidRequestException(
          id,
          "claim "
              + id
              + " cannot shrink from "
              + current.sizeGb()
              + " GiB to "
              + newSizeGb
              + " GiB");
    }
    if (newSizeGb == current.sizeGb()) {
      return current;
    }
    try {
      PersistentVolumeClaim edited =
          client
              .persistentVolumeClaims()
              .inNamespace(namespace)
              .withName(name)
              .edit(
                  pvc -> {
                    pvc.getSpec()
                        .getResources()
                        .getRequests()
                        .put("storage", new Quantity(newSizeGb + "Gi"));
                    return pvc;
                  });
      log.info("Resized claim {} from {} GiB to {} GiB", id, current.sizeGb(), newSizeGb);
      return toClaim(edited);
    } catch (KubernetesClientException e) {
      throw failure(id, "resize claim", e);
    }
  }

  @Override
  public boolean deleteClaim(String namespace, String name) {
    String id = namespace + "/" + name;
    try {
      boolean deleted =
          !client.persistentVolumeClaims().inNamespace(namespace).withName(name).delete().isEmpty();
      if (deleted) {
        log.info("Deleted claim {}", id);
      }
      return deleted;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw failure(id, "delete claim", e);
    }
  }

  @Override
  public VolumeSnapshotInfo createSnapshot(SnapshotSpec spec) {
    String id = spec.namespace() + "/" + spec.name();
    Optional<VolumeSnapshotInfo> existing = findSnapshot(spec.namespace(), spec.name());
    if (existing.isPresent()) {
      return existing.get();
    }
    if (findClaim(spec.namespace(), spec.claimName()).isEmpty()) {
      throw new ResourceNotFoundException(
          spec.namespace() + "/" + spec.claimName(),
          "cannot snapshot " + id + ": claim " + spec.claimName() + " does not exist");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    spec.snapshotClassName()
        .or(config::volumeSnapshotClassName)
        .ifPresent(c -> body.put("volumeSnapshotClassName", c));
    body.put("source", Map.of("persistentVolumeClaimName", spec.claimName()));
    GenericKubernetesResource snapshot =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(SNAPSHOT_API_VERSION)
            .withKind("VolumeSnapshot")
            .withNewMetadata()
            .withNamespace(spec.namespace())
            .withName(spec.name())
            .withLabels(spec.labels())
            .endMetadata()
            .addToAdditionalProperties("spec", body)
            .build();
    try {
      GenericKubernetesResource created =
          client
              .genericKubernetesResources(VOLUME_SNAPSHOTS)
              .inNamespace(spec.namespace())
              .resource(snapshot)
              .create();
      log.info("Created snapshot {} of claim {}", id, spec.claimName());
      return toSnapshot(created);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return findSnapshot(spec.namespace(), spec.name())
            .orElseThrow(() -> failure(id, "create snapshot", e));
      }
      throw failure(id, "create snapshot", e);
    }
  }

  @Override
  public Optional<VolumeSnapshotInfo> findSnapshot(String namespace, String name) {
    String id = namespace + "/" + name;
    return call(
            id,
            "read snapshot",
            () ->
                client
                    .genericKubernetesResources(VOLUME_SNAPSHOTS)
                    .inNamespace(namespace)
                    .withName(name)
                    .get())
        .map(this::toSnapshot);
  }

  @Override
  public List<VolumeSnapshotInfo> listSnapshots(String namespace, Map<String, String> labels) {
    Objects.requireNonNull(labels, "labels is null");
    List<GenericKubernetesResource> items =
        call(
                namespace,
                "list snapshots",
                () ->
                    client
                        .genericKubernetesResources(VOLUME_SNAPSHOTS)
                        .inNamespace(namespace)
                        .withLabels(labels)
                        .list()
                        .getItems())
            .orElse(List.of());
    return items.stream()
        .map(this::toSnapshot)
        .sorted(
            Comparator.comparing(
                    VolumeSnapshotInfo::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(VolumeSnapshotInfo::name))
        .toList();
  }

  @Override
  public boolean deleteSnapshot(String namespace, String name) {
    String id = namespace + "/" + name;
    try {
      boolean deleted =
          !client
              .genericKubernetesResources(VOLUME_SNAPSHOTS)
              .inNamespace(namespace)
              .withName(name)
              .delete()
              .isEmpty();
      if (deleted) {
        log.info("Deleted snapshot {}", id);
      }
      return deleted;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw failure(id, "delete snapshot", e);
    }
  }

  @Override
  public VolumeSnapshotInfo awaitSnapshotReady(String namespace, String name, Duration timeout) {
    String id = namespace + "/" + name;
    Objects.requireNonNull(timeout, "timeout is null");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      VolumeSnapshotInfo snapshot =
          findSnapshot(namespace, name)
              .orElseThrow(
                  () -> new ResourceNotFoundException(id, "snapshot " + id + " does not exist"));
      if (snapshot.readyToUse()) {
        return snapshot;
      }
      if (snapshot.errorMessage() != null) {
        throw new StorageException(id, "snapshot " + id + " failed: " + snapshot.errorMessage());
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ProviderTimeoutException(id, "snapshot", timeout);
      }
      try {
        // Polling, not a watch: a snapshot takes seconds to minutes and a watch would need its
        // own reconnect handling for a call that is usually made once per release.
        Thread.sleep(Math.min(config.getPollInterval().toMillis(), left / 1_000_000 + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException(id, "interrupted while waiting for snapshot " + id, e);
      }
    }
  }

  /**
   * Zones of the cluster's nodes, from their topology label; empty when no node has one. Always
   * lists the nodes (and refreshes the cache {@link #ensureClaim} validates zones against).
   */
  public Set<String> knownZones() {
    List<Node> nodes =
        call("nodes", "list nodes", () -> client.nodes().list().getItems()).orElse(List.of());
    Set<String> zones = new TreeSet<>();
    for (Node node : nodes) {
      Map<String, String> labels = node.getMetadata().getLabels();
      if (labels != null && labels.get(config.getZoneTopologyKey()) != null) {
        zones.add(labels.get(config.getZoneTopologyKey()));
      }
    }
    Set<String> result = Collections.unmodifiableSet(zones);
    zoneListing = new ZoneListing(result, nanoTime.getAsLong());
    return result;
  }

  /**
   * Refuses a zone no node carries. Answers from the last node listing while it is younger than the
   * cache TTL; a stale listing, or a zone it does not have, lists the nodes once more, so a newly
   * added zone is accepted at once and an unknown one costs one listing before it is refused. A
   * cluster whose nodes carry no zone label accepts any zone.
   */
  private void checkZone(String id, String zone) {
    ZoneListing seen = zoneListing;
    if (seen != null
        && nanoTime.getAsLong() - seen.listedAt() < zoneCacheTtlNanos
        && (seen.zones().isEmpty() || seen.zones().contains(zone))) {
      return;
    }
    Set<String> zones = relistZones(seen);
    if (!zones.isEmpty() && !zones.contains(zone)) {
      throw new InvalidRequestException(
          id, "unknown zone '" + zone + "' for claim " + id + "; the cluster has " + zones);
    }
  }

  /**
   * Lists the nodes unless another thread did so after {@code seen} was read, in which case that
   * newer listing is used: many workers finding the cache stale at once make one request, not one
   * each.
   */
  private Set<String> relistZones(ZoneListing seen) {
    synchronized (zoneLock) {
      ZoneListing current = zoneListing;
      if (current != null && current != seen) {
        return current.zones();
      }
      return knownZones();
    }
  }

  private static VolumeClaim toClaim(PersistentVolumeClaim pvc) {
    var meta = pvc.getMetadata();
    var spec = pvc.getSpec();
    Quantity requested =
        spec.getResources() == null || spec.getResources().getRequests() == null
            ? null
            : spec.getResources().getRequests().get("storage");
    Quantity capacity =
        pvc.getStatus() == null || pvc.getStatus().getCapacity() == null
            ? null
            : pvc.getStatus().getCapacity().get("storage");
    String fromSnapshot =
        spec.getDataSource() != null && "VolumeSnapshot".equals(spec.getDataSource().getKind())
            ? spec.getDataSource().getName()
            : null;
    String zone = meta.getAnnotations() == null ? null : meta.getAnnotations().get(ZONE_ANNOTATION);
    return new VolumeClaim(
        meta.getNamespace(),
        meta.getName(),
        requested == null ? 0 : toGib(requested),
        capacity == null ? null : toGib(capacity),
        spec.getStorageClassName(),
        zone,
        ClaimPhase.fromKubernetes(pvc.getStatus() == null ? null : pvc.getStatus().getPhase()),
        spec.getVolumeName(),
        meta.getLabels(),
        fromSnapshot,
        timestamp(meta.getCreationTimestamp()));
  }

  @SuppressWarnings("unchecked")
  private VolumeSnapshotInfo toSnapshot(GenericKubernetesResource resource) {
    var meta = resource.getMetadata();
    Map<String, Object> spec = map(resource.getAdditionalProperties().get("spec"));
    Map<String, Object> status = map(resource.getAdditionalProperties().get("status"));
    Map<String, Object> source = map(spec.get("source"));
    Map<String, Object> error = map(status.get("error"));
    String contentName = string(status.get("boundVolumeSnapshotContentName"));
    Object restoreSize = status.get("restoreSize");
    Long restoreBytes =
        restoreSize == null
            ? null
            : Quantity.getAmountInBytes(new Quantity(restoreSize.toString())).longValue();
    return new VolumeSnapshotInfo(
        meta.getNamespace(),
        meta.getName(),
        string(source.get("persistentVolumeClaimName")),
        string(spec.get("volumeSnapshotClassName")),
        Boolean.TRUE.equals(status.get("readyToUse")),
        restoreBytes,
        contentName,
        contentName == null ? null : snapshotHandle(contentName).orElse(null),
        string(error.get("message")),
        meta.getLabels(),
        timestamp(meta.getCreationTimestamp()));
  }

  private Optional<String> snapshotHandle(String contentName) {
    return call(
            contentName,
            "read snapshot content",
            () ->
                client
                    .genericKubernetesResources(VOLUME_SNAPSHOT_CONTENTS)
                    .withName(contentName)
                    .get())
        .map(c -> map(c.getAdditionalProperties().get("status")).get("snapshotHandle"))
        .map(Object::toString);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static String string(Object value) {
    return value == null ? null : value.toString();
  }

  private static int toGib(Quantity quantity) {
    return Quantity.getAmountInBytes(quantity).divide(GIB, 0, RoundingMode.CEILING).intValue();
  }

  private static Instant timestamp(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static <T> Optional<T> call(String id, String what, Supplier<T> action) {
    try {
      return Optional.ofNullable(action.get());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw failure(id, what, e);
    }
  }

  private static StorageException failure(String id, String what, KubernetesClientException e) {
    return new StorageException(
        id, "could not " + what + " " + id + " (HTTP " + e.getCode() + "): " + e.getMessage(), e);
  }
}
