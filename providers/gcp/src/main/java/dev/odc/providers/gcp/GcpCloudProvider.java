package dev.odc.providers.gcp;

import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.Disk;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.GlobalSetLabelsRequest;
import com.google.cloud.compute.v1.ListDisksRequest;
import com.google.cloud.compute.v1.ListSnapshotsRequest;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.Snapshot;
import com.google.cloud.compute.v1.SnapshotsClient;
import com.google.cloud.compute.v1.Zone;
import com.google.cloud.compute.v1.ZoneSetLabelsRequest;
import com.google.cloud.compute.v1.ZonesClient;
import dev.odc.providers.Capability;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudSnapshot;
import dev.odc.providers.CloudVolume;
import dev.odc.providers.InvalidRequestException;
import dev.odc.providers.ObjectLocation;
import dev.odc.providers.ProviderTimeoutException;
import dev.odc.providers.ProviderUnsupportedException;
import dev.odc.providers.ResourceNotFoundException;
import dev.odc.providers.SnapshotFilter;
import dev.odc.providers.SnapshotRequest;
import dev.odc.providers.StorageException;
import dev.odc.providers.VolumeRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CloudProvider} over Compute Engine: zonal persistent disks and global snapshots, labels,
 * zone and global operations waited on until done. A volume id is {@code <zone>/<disk name>}
 * because disk names are only unique within a zone; a snapshot id is its (global) name. Attaching
 * disks to instances and object storage (GCS) are not wired yet and report {@link
 * ProviderUnsupportedException}.
 */
public final class GcpCloudProvider implements CloudProvider {
  private static final Logger log = LoggerFactory.getLogger(GcpCloudProvider.class);

  public static final String NAME = "gcp";

  private final String project;
  private final String region;
  private final String defaultDiskType;
  private final DisksClient disks;
  private final SnapshotsClient snapshots;
  private final ZonesClient zonesClient;
  private final Duration operationTimeout;
  private final Duration pollInterval;
  private volatile List<String> zones;

  public GcpCloudProvider(
      String project,
      String region,
      String defaultDiskType,
      DisksClient disks,
      SnapshotsClient snapshots,
      ZonesClient zonesClient,
      Duration operationTimeout,
      Duration pollInterval) {
    this.project = Objects.requireNonNull(project, "project is null");
    this.region = Objects.requireNonNull(region, "region is null");
    this.defaultDiskType = Objects.requireNonNull(defaultDiskType, "defaultDiskType is null");
    this.disks = Objects.requireNonNull(disks, "disks is null");
    this.snapshots = Objects.requireNonNull(snapshots, "snapshots is null");
    this.zonesClient = Objects.requireNonNull(zonesClient, "zonesClient is null");
    this.operationTimeout = Objects.requireNonNull(operationTimeout, "operationTimeout is null");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.VOLUMES, Capability.SNAPSHOTS, Capability.ZONES);
  }

  @Override
  public List<String> zones() {
    List<String> known = zones;
    if (known == null) {
      known =
          call(
              project,
              "list zones",
              () ->
                  StreamSupport.stream(zonesClient.list(project).iterateAll().spliterator(), false)
                      .map(Zone::getName)
                      .filter(z -> z.startsWith(region + "-"))
                      .sorted()
                      .toList());
      zones = known;
    }
    return known;
  }

  @Override
  public CloudVolume createVolume(VolumeRequest request) {
    String id = request.zone() + "/" + request.name();
    if (!zones().contains(request.zone())) {
      throw new InvalidRequestException(
          id,
          "unknown zone '"
              + request.zone()
              + "' for disk "
              + request.name()
              + "; known: "
              + zones());
    }
    Disk.Builder disk =
        Disk.newBuilder()
            .setName(request.name())
            .setSizeGb(request.sizeGb())
            .setType(
                "projects/%s/zones/%s/diskTypes/%s"
                    .formatted(project, request.zone(), request.type().orElse(defaultDiskType)))
            .putAllLabels(request.tags());
    if (request.fromSnapshotId() != null) {
      if (describeSnapshot(request.fromSnapshotId()).isEmpty()) {
        throw new ResourceNotFoundException(
            request.fromSnapshotId(),
            "cannot restore disk "
                + id
                + ": snapshot "
                + request.fromSnapshotId()
                + " does not exist");
      }
      disk.setSourceSnapshot(
          "projects/%s/global/snapshots/%s".formatted(project, request.fromSnapshotId()));
    }
    await(id, "create disk", disks.insertAsync(project, request.zone(), disk.build()));
    log.info(
        "Created GCE disk {} ({} GiB, from snapshot {})",
        id,
        request.sizeGb(),
        request.fromSnapshotId());
    return describeVolume(id)
        .orElseThrow(
            () -> new StorageException(id, "disk " + id + " vanished right after creation"));
  }

  @Override
  public Optional<CloudVolume> describeVolume(String volumeId) {
    Optional<String[]> parts = parse(volumeId);
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    return lookup(
            volumeId, "describe disk", () -> disks.get(project, parts.get()[0], parts.get()[1]))
        .map(this::toVolume);
  }

  @Override
  public List<CloudVolume> listVolumes(Map<String, String> tags) {
    String filter =
        tags.entrySet().stream()
            .map(e -> "labels.%s = \"%s\"".formatted(e.getKey(), e.getValue()))
            .collect(Collectors.joining(" AND "));
    List<CloudVolume> result = new ArrayList<>();
    for (String zone : zones()) {
      ListDisksRequest.Builder request =
          ListDisksRequest.newBuilder().setProject(project).setZone(zone);
      if (!filter.isEmpty()) {
        request.setFilter(filter);
      }
      call(
          zone,
          "list disks",
          () -> {
            disks.list(request.build()).iterateAll().forEach(d -> result.add(toVolume(d)));
            return null;
          });
    }
    // The server filters too; this keeps the contract exact whatever its filter dialect accepts.
    return result.stream().filter(v -> v.tags().entrySet().containsAll(tags.entrySet())).toList();
  }

  @Override
  public void tagVolume(String volumeId, Map<String, String> tags) {
    String[] parts = parse(volumeId).orElseThrow(() -> notFound(volumeId, "disk"));
    Disk disk =
        lookup(volumeId, "describe disk", () -> disks.get(project, parts[0], parts[1]))
            .orElseThrow(() -> notFound(volumeId, "disk"));
    Map<String, String> labels = new LinkedHashMap<>(disk.getLabelsMap());
    labels.putAll(tags);
    await(
        volumeId,
        "label disk",
        disks.setLabelsAsync(
            project,
            parts[0],
            parts[1],
            ZoneSetLabelsRequest.newBuilder()
                .putAllLabels(labels)
                .setLabelFingerprint(disk.getLabelFingerprint())
                .build()));
  }

  @Override
  public void deleteVolume(String volumeId) {
    Optional<String[]> parts = parse(volumeId);
    if (parts.isEmpty()) {
      return;
    }
    try {
      await(volumeId, "delete disk", disks.deleteAsync(project, parts.get()[0], parts.get()[1]));
      log.info("Deleted GCE disk {}", volumeId);
    } catch (ResourceNotFoundException e) {
      // already gone: deletes are idempotent
    }
  }

  @Override
  public void attachVolume(String volumeId, String instanceId, String device) {
    throw new ProviderUnsupportedException(NAME, "attachVolume");
  }

  @Override
  public void detachVolume(String volumeId, String instanceId) {
    throw new ProviderUnsupportedException(NAME, "detachVolume");
  }

  @Override
  public CloudSnapshot createSnapshot(SnapshotRequest request) {
    String[] parts =
        parse(request.volumeId()).orElseThrow(() -> notFound(request.volumeId(), "disk"));
    if (describeVolume(request.volumeId()).isEmpty()) {
      throw new ResourceNotFoundException(
          request.volumeId(), "cannot snapshot disk " + request.volumeId() + ": it does not exist");
    }
    Snapshot snapshot =
        Snapshot.newBuilder()
            .setName(request.name())
            .setDescription(request.description())
            .setSourceDisk("projects/%s/zones/%s/disks/%s".formatted(project, parts[0], parts[1]))
            .putAllLabels(request.tags())
            .build();
    await(request.name(), "create snapshot", snapshots.insertAsync(project, snapshot));
    log.info("Created GCE snapshot {} of {}", request.name(), request.volumeId());
    return describeSnapshot(request.name())
        .orElseThrow(
            () -> new StorageException(request.name(), "snapshot vanished right after creation"));
  }

  @Override
  public Optional<CloudSnapshot> describeSnapshot(String snapshotId) {
    return lookup(snapshotId, "describe snapshot", () -> snapshots.get(project, snapshotId))
        .map(this::toSnapshot);
  }

  @Override
  public List<CloudSnapshot> listSnapshots(SnapshotFilter filter) {
    String labels =
        filter.tags().entrySet().stream()
            .map(e -> "labels.%s = \"%s\"".formatted(e.getKey(), e.getValue()))
            .collect(Collectors.joining(" AND "));
    ListSnapshotsRequest.Builder request = ListSnapshotsRequest.newBuilder().setProject(project);
    if (!labels.isEmpty()) {
      request.setFilter(labels);
    }
    List<CloudSnapshot> result = new ArrayList<>();
    call(
        project,
        "list snapshots",
        () -> {
          snapshots.list(request.build()).iterateAll().forEach(s -> result.add(toSnapshot(s)));
          return null;
        });
    return result.stream().filter(filter::matches).toList();
  }

  @Override
  public void tagSnapshot(String snapshotId, Map<String, String> tags) {
    Snapshot snapshot =
        lookup(snapshotId, "describe snapshot", () -> snapshots.get(project, snapshotId))
            .orElseThrow(() -> notFound(snapshotId, "snapshot"));
    Map<String, String> labels = new LinkedHashMap<>(snapshot.getLabelsMap());
    labels.putAll(tags);
    await(
        snapshotId,
        "label snapshot",
        snapshots.setLabelsAsync(
            project,
            snapshotId,
            GlobalSetLabelsRequest.newBuilder()
                .putAllLabels(labels)
                .setLabelFingerprint(snapshot.getLabelFingerprint())
                .build()));
  }

  @Override
  public void deleteSnapshot(String snapshotId) {
    try {
      await(snapshotId, "delete snapshot", snapshots.deleteAsync(project, snapshotId));
      log.info("Deleted GCE snapshot {}", snapshotId);
    } catch (ResourceNotFoundException e) {
      // already gone: deletes are idempotent
    }
  }

  @Override
  public CloudSnapshot awaitSnapshot(String snapshotId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CloudSnapshot snapshot =
          describeSnapshot(snapshotId).orElseThrow(() -> notFound(snapshotId, "snapshot"));
      switch (snapshot.state()) {
        case COMPLETED -> {
          return snapshot;
        }
        case ERROR -> throw new StorageException(snapshotId, "snapshot " + snapshotId + " failed");
        default -> {}
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ProviderTimeoutException(snapshotId, "snapshot", timeout);
      }
      try {
        Thread.sleep(Math.min(pollInterval.toMillis(), left / 1_000_000 + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException(snapshotId, "interrupted while waiting for " + snapshotId, e);
      }
    }
  }

  @Override
  public void putObject(ObjectLocation location, byte[] content) {
    throw new ProviderUnsupportedException(NAME, "putObject");
  }

  @Override
  public Optional<byte[]> getObject(ObjectLocation location) {
    throw new ProviderUnsupportedException(NAME, "getObject");
  }

  @Override
  public void close() {
    disks.close();
    snapshots.close();
    zonesClient.close();
  }

  private CloudVolume toVolume(Disk d) {
    String zone = last(d.getZone());
    return new CloudVolume(
        zone + "/" + d.getName(),
        d.getName(),
        zone,
        (int) d.getSizeGb(),
        last(d.getType()),
        GceStates.volume(d.getStatus(), d.getUsersCount() > 0),
        d.getStatus(),
        d.getLabelsMap(),
        d.getUsersList().stream().map(GcpCloudProvider::last).toList(),
        d.getSourceSnapshot().isEmpty() ? null : last(d.getSourceSnapshot()),
        time(d.getCreationTimestamp()));
  }

  private CloudSnapshot toSnapshot(Snapshot s) {
    String source = s.getSourceDisk();
    String volumeId = null;
    if (!source.isEmpty()) {
      String[] p = source.split("/");
      // .../zones/<zone>/disks/<name>
      volumeId = p.length >= 3 ? p[p.length - 3] + "/" + p[p.length - 1] : last(source);
    }
    return new CloudSnapshot(
        s.getName(),
        s.getName(),
        volumeId,
        (int) s.getDiskSizeGb(),
        GceStates.snapshot(s.getStatus()),
        s.getStatus(),
        s.getLabelsMap(),
        null,
        time(s.getCreationTimestamp()));
  }

  private static String last(String url) {
    if (url == null || url.isEmpty()) {
      return url;
    }
    return url.substring(url.lastIndexOf('/') + 1);
  }

  private static Instant time(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Optional<String[]> parse(String volumeId) {
    if (volumeId == null) {
      return Optional.empty();
    }
    String[] parts = volumeId.split("/");
    return parts.length == 2 && !parts[0].isBlank() && !parts[1].isBlank()
        ? Optional.of(parts)
        : Optional.empty();
  }

  private static ResourceNotFoundException notFound(String id, String kind) {
    return new ResourceNotFoundException(id, kind + " " + id + " does not exist");
  }

  private void await(String id, String what, OperationFuture<Operation, Operation> future) {
    Operation op;
    try {
      op = future.get(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ProviderTimeoutException(id, what, operationTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(id, "interrupted during " + what + " " + id, e);
    } catch (ExecutionException e) {
      throw translate(id, what, e.getCause() == null ? e : e.getCause());
    } catch (ApiException e) {
      throw translate(id, what, e);
    }
    if (op.hasError() && op.getError().getErrorsCount() > 0) {
      String message = op.getError().getErrors(0).getMessage();
      throw new StorageException(id, "could not " + what + " " + id + ": " + message);
    }
  }

  private static <T> Optional<T> lookup(String id, String what, Supplier<T> action) {
    try {
      return Optional.of(action.get());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (ApiException e) {
      throw translate(id, what, e);
    }
  }

  private static <T> T call(String id, String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (ApiException e) {
      throw translate(id, what, e);
    }
  }

  private static RuntimeException translate(String id, String what, Throwable e) {
    String message = "could not " + what + " " + id + ": " + e.getMessage();
    if (e instanceof NotFoundException) {
      return new ResourceNotFoundException(id, message, e);
    }
    if (e instanceof InvalidArgumentException) {
      return new InvalidRequestException(id, message, e);
    }
    return new StorageException(id, message, e);
  }
}
