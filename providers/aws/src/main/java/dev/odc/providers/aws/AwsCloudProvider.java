package dev.odc.providers.aws;

import dev.odc.providers.Capability;
import dev.odc.providers.CloudProvider;
import dev.odc.providers.CloudSnapshot;
import dev.odc.providers.CloudVolume;
import dev.odc.providers.InvalidRequestException;
import dev.odc.providers.ObjectLocation;
import dev.odc.providers.ProviderTimeoutException;
import dev.odc.providers.ResourceNotFoundException;
import dev.odc.providers.SnapshotFilter;
import dev.odc.providers.SnapshotRequest;
import dev.odc.providers.StorageException;
import dev.odc.providers.VolumeRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** {@link CloudProvider} over the EC2 API (EBS volumes and snapshots) and S3 (small objects). */
public final class AwsCloudProvider implements CloudProvider {
  private static final Logger log = LoggerFactory.getLogger(AwsCloudProvider.class);

  public static final String NAME = "aws";

  /** EC2 shows this tag as the resource's name in the console. */
  public static final String NAME_TAG = "Name";

  private final Ec2Client ec2;
  private final S3Client s3;
  private final String defaultVolumeType;
  private final Duration pollInterval;
  private volatile List<String> zones;

  public AwsCloudProvider(
      Ec2Client ec2, S3Client s3, String defaultVolumeType, Duration pollInterval) {
    this.ec2 = Objects.requireNonNull(ec2, "ec2 is null");
    this.s3 = Objects.requireNonNull(s3, "s3 is null");
    this.defaultVolumeType = Objects.requireNonNull(defaultVolumeType, "defaultVolumeType is null");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(
        Capability.VOLUMES,
        Capability.ATTACH,
        Capability.SNAPSHOTS,
        Capability.OBJECT_STORAGE,
        Capability.ZONES);
  }

  @Override
  public List<String> zones() {
    List<String> known = zones;
    if (known == null) {
      // Zones of a region do not change while the process runs.
      known =
          call(
              "zones",
              "describe availability zones",
              () ->
                  ec2.describeAvailabilityZones().availabilityZones().stream()
                      .map(AvailabilityZone::zoneName)
                      .sorted()
                      .toList());
      zones = known;
    }
    return known;
  }

  @Override
  public CloudVolume createVolume(VolumeRequest request) {
    if (!zones().contains(request.zone())) {
      throw new InvalidRequestException(
          request.name(),
          "unknown zone '"
              + request.zone()
              + "' for volume "
              + request.name()
              + "; known: "
              + zones());
    }
    request
        .snapshotSource()
        .ifPresent(
            id -> {
              if (describeSnapshot(id).isEmpty()) {
                throw new ResourceNotFoundException(
                    id,
                    "cannot restore volume "
                        + request.name()
                        + ": snapshot "
                        + id
                        + " does not exist");
              }
            });
    Map<String, String> tags = new LinkedHashMap<>(request.tags());
    tags.putIfAbsent(NAME_TAG, request.name());
    Volume created =
        call(
            request.name(),
            "create volume",
            () -> {
              var response =
                  ec2.createVolume(
                      b ->
                          b.availabilityZone(request.zone())
                              .size(request.sizeGb())
                              .volumeType(request.type().orElse(defaultVolumeType))
                              .snapshotId(request.fromSnapshotId())
                              .tagSpecifications(tagSpec(ResourceType.VOLUME, tags)));
              return Volume.builder()
                  .volumeId(response.volumeId())
                  .availabilityZone(response.availabilityZone())
                  .size(response.size())
                  .volumeType(response.volumeTypeAsString())
                  .state(response.stateAsString())
                  .tags(response.tags())
                  .snapshotId(response.snapshotId())
                  .createTime(response.createTime())
                  .build();
            });
    log.info(
        "Created EBS volume {} ({} GiB in {}, from snapshot {})",
        created.volumeId(),
        request.sizeGb(),
        request.zone(),
        request.fromSnapshotId());
    return toVolume(created);
  }

  @Override
  public Optional<CloudVolume> describeVolume(String volumeId) {
    try {
      return ec2.describeVolumes(b -> b.volumeIds(volumeId)).volumes().stream()
          .findFirst()
          .map(AwsCloudProvider::toVolume);
    } catch (Ec2Exception e) {
      if (notFound(e)) {
        return Optional.empty();
      }
      throw failure(volumeId, "describe volume", e);
    } catch (SdkException e) {
      throw failure(volumeId, "describe volume", e);
    }
  }

  @Override
  public List<CloudVolume> listVolumes(Map<String, String> tags) {
    return call(
        "volumes",
        "list volumes",
        () ->
            ec2.describeVolumesPaginator(b -> b.filters(tagFilters(tags))).volumes().stream()
                .map(AwsCloudProvider::toVolume)
                .toList());
  }

  @Override
  public void tagVolume(String volumeId, Map<String, String> tags) {
    // CreateTags does not always refuse unknown ids, so check first for a clear not-found.
    if (describeVolume(volumeId).isEmpty()) {
      throw new ResourceNotFoundException(volumeId, "volume " + volumeId + " does not exist");
    }
    call(
        volumeId,
        "tag volume",
        () -> ec2.createTags(b -> b.resources(volumeId).tags(toTags(tags))));
  }

  @Override
  public void deleteVolume(String volumeId) {
    try {
      ec2.deleteVolume(b -> b.volumeId(volumeId));
      log.info("Deleted EBS volume {}", volumeId);
    } catch (Ec2Exception e) {
      if (notFound(e)) {
        return;
      }
      if ("VolumeInUse".equals(code(e))) {
        throw new InvalidRequestException(
            volumeId, "volume " + volumeId + " is still attached: " + message(e), e);
      }
      throw failure(volumeId, "delete volume", e);
    } catch (SdkException e) {
      throw failure(volumeId, "delete volume", e);
    }
  }

  @Override
  public void attachVolume(String volumeId, String instanceId, String device) {
    try {
      ec2.attachVolume(b -> b.volumeId(volumeId).instanceId(instanceId).device(device));
      log.info("Attached EBS volume {} to {} as {}", volumeId, instanceId, device);
    } catch (Ec2Exception e) {
      if (notFound(e)) {
        throw new ResourceNotFoundException(
            volumeId, "cannot attach " + volumeId + " to " + instanceId + ": " + message(e), e);
      }
      throw failure(volumeId, "attach volume", e);
    } catch (SdkException e) {
      throw failure(volumeId, "attach volume", e);
    }
  }

  @Override
  public void detachVolume(String volumeId, String instanceId) {
    try {
      ec2.detachVolume(b -> b.volumeId(volumeId).instanceId(instanceId));
      log.info("Detached EBS volume {} from {}", volumeId, instanceId);
    } catch (Ec2Exception e) {
      if (notFound(e) || "IncorrectState".equals(code(e))) {
        return;
      }
      throw failure(volumeId, "detach volume", e);
    } catch (SdkException e) {
      throw failure(volumeId, "detach volume", e);
    }
  }

  @Override
  public CloudSnapshot createSnapshot(SnapshotRequest request) {
    if (describeVolume(request.volumeId()).isEmpty()) {
      throw new ResourceNotFoundException(
          request.volumeId(),
          "cannot snapshot volume " + request.volumeId() + ": it does not exist");
    }
    Map<String, String> tags = new LinkedHashMap<>(request.tags());
    tags.putIfAbsent(NAME_TAG, request.name());
    Snapshot snapshot =
        call(
            request.volumeId(),
            "create snapshot",
            () -> {
              var r =
                  ec2.createSnapshot(
                      b ->
                          b.volumeId(request.volumeId())
                              .description(request.description())
                              .tagSpecifications(tagSpec(ResourceType.SNAPSHOT, tags)));
              return Snapshot.builder()
                  .snapshotId(r.snapshotId())
                  .volumeId(r.volumeId())
                  .volumeSize(r.volumeSize())
                  .state(r.stateAsString())
                  .stateMessage(r.stateMessage())
                  .tags(r.tags())
                  .startTime(r.startTime())
                  .build();
            });
    log.info("Started EBS snapshot {} of {}", snapshot.snapshotId(), request.volumeId());
    return toSnapshot(snapshot);
  }

  @Override
  public Optional<CloudSnapshot> describeSnapshot(String snapshotId) {
    try {
      return ec2.describeSnapshots(b -> b.snapshotIds(snapshotId)).snapshots().stream()
          .findFirst()
          .map(AwsCloudProvider::toSnapshot);
    } catch (Ec2Exception e) {
      if (notFound(e)) {
        return Optional.empty();
      }
      throw failure(snapshotId, "describe snapshot", e);
    } catch (SdkException e) {
      throw failure(snapshotId, "describe snapshot", e);
    }
  }

  @Override
  public List<CloudSnapshot> listSnapshots(SnapshotFilter filter) {
    List<Filter> filters = new ArrayList<>(tagFilters(filter.tags()));
    filter
        .volume()
        .ifPresent(v -> filters.add(Filter.builder().name("volume-id").values(v).build()));
    return call(
        "snapshots",
        "list snapshots",
        () ->
            ec2
                .describeSnapshotsPaginator(b -> b.ownerIds("self").filters(filters))
                .snapshots()
                .stream()
                .map(AwsCloudProvider::toSnapshot)
                .filter(filter::matches)
                .toList());
  }

  @Override
  public void tagSnapshot(String snapshotId, Map<String, String> tags) {
    if (describeSnapshot(snapshotId).isEmpty()) {
      throw new ResourceNotFoundException(snapshotId, "snapshot " + snapshotId + " does not exist");
    }
    call(
        snapshotId,
        "tag snapshot",
        () -> ec2.createTags(b -> b.resources(snapshotId).tags(toTags(tags))));
  }

  @Override
  public void deleteSnapshot(String snapshotId) {
    try {
      ec2.deleteSnapshot(b -> b.snapshotId(snapshotId));
      log.info("Deleted EBS snapshot {}", snapshotId);
    } catch (Ec2Exception e) {
      if (notFound(e)) {
        return;
      }
      throw failure(snapshotId, "delete snapshot", e);
    } catch (SdkException e) {
      throw failure(snapshotId, "delete snapshot", e);
    }
  }

  @Override
  public CloudSnapshot awaitSnapshot(String snapshotId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CloudSnapshot snapshot =
          describeSnapshot(snapshotId)
              .orElseThrow(
                  () ->
                      new ResourceNotFoundException(
                          snapshotId, "snapshot " + snapshotId + " does not exist"));
      switch (snapshot.state()) {
        case COMPLETED -> {
          return snapshot;
        }
        case ERROR ->
            throw new StorageException(
                snapshotId,
                "snapshot "
                    + snapshotId
                    + " failed: "
                    + snapshot.error().orElse("no reason given"));
        default -> {}
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ProviderTimeoutException(snapshotId, "snapshot", timeout);
      }
      sleep(snapshotId, Math.min(pollInterval.toMillis(), left / 1_000_000 + 1));
    }
  }

  @Override
  public void putObject(ObjectLocation location, byte[] content) {
    Objects.requireNonNull(content, "content is null");
    String id = location.toString();
    try {
      s3.putObject(
          b -> b.bucket(location.bucket()).key(location.key()), RequestBody.fromBytes(content));
    } catch (NoSuchBucketException e) {
      throw new ResourceNotFoundException(id, "bucket " + location.bucket() + " does not exist", e);
    } catch (SdkException e) {
      throw new StorageException(id, "could not put object " + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<byte[]> getObject(ObjectLocation location) {
    String id = location.toString();
    try {
      return Optional.of(
          s3.getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.key())).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (NoSuchBucketException e) {
      throw new ResourceNotFoundException(id, "bucket " + location.bucket() + " does not exist", e);
    } catch (SdkException e) {
      throw new StorageException(id, "could not get object " + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    ec2.close();
    s3.close();
  }

  private static void sleep(String id, long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(id, "interrupted while waiting for " + id, e);
    }
  }

  static CloudVolume toVolume(Volume v) {
    Map<String, String> tags = fromTags(v.tags());
    return new CloudVolume(
        v.volumeId(),
        tags.get(NAME_TAG),
        v.availabilityZone(),
        v.size() == null ? 0 : v.size(),
        v.volumeTypeAsString(),
        Ec2States.volume(v.stateAsString()),
        v.stateAsString(),
        tags,
        v.attachments().stream().map(VolumeAttachment::instanceId).toList(),
        v.snapshotId() == null || v.snapshotId().isBlank() ? null : v.snapshotId(),
        v.createTime());
  }

  static CloudSnapshot toSnapshot(Snapshot s) {
    Map<String, String> tags = fromTags(s.tags());
    return new CloudSnapshot(
        s.snapshotId(),
        tags.get(NAME_TAG),
        s.volumeId(),
        s.volumeSize() == null ? 0 : s.volumeSize(),
        Ec2States.snapshot(s.stateAsString()),
        s.stateAsString(),
        tags,
        s.stateMessage() == null || s.stateMessage().isBlank() ? null : s.stateMessage(),
        s.startTime());
  }

  private static TagSpecification tagSpec(ResourceType type, Map<String, String> tags) {
    return TagSpecification.builder().resourceType(type).tags(toTags(tags)).build();
  }

  private static List<Tag> toTags(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();
  }

  private static Map<String, String> fromTags(List<Tag> tags) {
    Map<String, String> map = new LinkedHashMap<>();
    if (tags != null) {
      tags.forEach(t -> map.put(t.key(), t.value()));
    }
    return map;
  }

  private static List<Filter> tagFilters(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(e -> Filter.builder().name("tag:" + e.getKey()).values(e.getValue()).build())
        .toList();
  }

  private static String code(Ec2Exception e) {
    return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
  }

  private static String message(Ec2Exception e) {
    return e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
  }

  private static boolean notFound(Ec2Exception e) {
    String code = code(e);
    return code != null && (code.endsWith(".NotFound") || code.endsWith(".Malformed"));
  }

  private static <T> T call(String id, String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (Ec2Exception e) {
      if (notFound(e)) {
        throw new ResourceNotFoundException(
            id, "could not " + what + " " + id + ": " + message(e), e);
      }
      if (code(e).startsWith("Invalid")) {
        throw new InvalidRequestException(
            id, "could not " + what + " " + id + ": " + message(e), e);
      }
      throw failure(id, what, e);
    } catch (SdkException e) {
      throw failure(id, what, e);
    }
  }

  private static StorageException failure(String id, String what, SdkException e) {
    String detail =
        e instanceof Ec2Exception ec2 ? code(ec2) + ": " + message(ec2) : e.getMessage();
    return new StorageException(id, "could not " + what + " " + id + " (" + detail + ")", e);
  }
}
