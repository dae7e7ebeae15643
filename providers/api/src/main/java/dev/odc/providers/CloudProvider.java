package dev.odc.providers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Kubernetes cannot do for ODC: talk to the cloud directly, to list and tag volumes and
 * snapshots for reconciliation, cost and orphan cleanup, and to keep small objects.
 *
 * <p>Only domain types cross this interface. Operations a provider cannot perform throw {@link
 * ProviderUnsupportedException}; {@link #capabilities()} lists what it can do. Deletes are
 * idempotent, lookups return {@link Optional#empty()} for unknown ids. Implementations are
 * thread-safe and hold their SDK clients until {@link #close()}.
 */
public interface CloudProvider extends AutoCloseable {

  /** The provider's configuration type name: {@code aws}, {@code gcp}, {@code custom}. */
  String name();

  /**
   * What this provider can do; an operation outside this set throws {@link
   * ProviderUnsupportedException}.
   */
  Set<Capability> capabilities();

  /**
   * The zones volumes can be placed in, sorted.
   *
   * @return zone names; empty when the provider knows none
   * @throws StorageException when the cloud cannot be reached
   */
  List<String> zones();

  /**
   * Creates a block volume, empty or restored from a snapshot. The call returns once the cloud has
   * accepted the request; the volume may still be {@link VolumeState#CREATING}.
   *
   * @throws InvalidRequestException for an unknown zone or a size or type the cloud refuses
   * @throws ResourceNotFoundException when the source snapshot does not exist
   * @throws StorageException when the cloud fails
   */
  CloudVolume createVolume(VolumeRequest request);

  /**
   * Looks a volume up by id.
   *
   * @return the volume, or empty when there is none with that id (deleted volumes may still be
   *     reported, in state {@link VolumeState#DELETED} or {@link VolumeState#DELETING})
   * @throws StorageException when the cloud fails
   */
  Optional<CloudVolume> describeVolume(String volumeId);

  /**
   * Lists the volumes carrying all of {@code tags}.
   *
   * @param tags tag (label) equality conditions; empty lists every volume in the region/project
   * @return the matching volumes, never null
   * @throws StorageException when the cloud fails
   */
  List<CloudVolume> listVolumes(Map<String, String> tags);

  /**
   * Adds or overwrites tags (labels) on a volume; tags not named stay as they are.
   *
   * @throws ResourceNotFoundException when the volume does not exist
   * @throws StorageException when the cloud fails
   */
  void tagVolume(String volumeId, Map<String, String> tags);

  /**
   * Deletes a volume. Idempotent: a volume that does not exist counts as deleted.
   *
   * @throws InvalidRequestException when the volume is still attached
   * @throws StorageException when the cloud fails
   */
  void deleteVolume(String volumeId);

  /**
   * Attaches a volume to an instance.
   *
   * @param device the device name the instance sees (EC2 {@code /dev/sdf}; the GCE device name)
   * @throws ResourceNotFoundException when the volume or the instance does not exist
   * @throws ProviderUnsupportedException when the provider has no {@link Capability#ATTACH}
   * @throws StorageException when the cloud fails
   */
  void attachVolume(String volumeId, String instanceId, String device);

  /**
   * Detaches a volume from an instance. Idempotent: detaching a volume that is not attached to it
   * succeeds.
   *
   * @throws ProviderUnsupportedException when the provider has no {@link Capability#ATTACH}
   * @throws StorageException when the cloud fails
   */
  void detachVolume(String volumeId, String instanceId);

  /**
   * Starts a snapshot of a volume. The returned snapshot is usually {@link SnapshotState#PENDING};
   * see {@link #awaitSnapshot}.
   *
   * @throws ResourceNotFoundException when the volume does not exist
   * @throws StorageException when the cloud fails
   */
  CloudSnapshot createSnapshot(SnapshotRequest request);

  /**
   * Looks a snapshot up by id.
   *
   * @return the snapshot, or empty when there is none with that id
   * @throws StorageException when the cloud fails
   */
  Optional<CloudSnapshot> describeSnapshot(String snapshotId);

  /**
   * Lists the snapshots owned by this account/project that match {@code filter}.
   *
   * @return the matching snapshots, never null
   * @throws StorageException when the cloud fails
   */
  List<CloudSnapshot> listSnapshots(SnapshotFilter filter);

  /**
   * Adds or overwrites tags (labels) on a snapshot.
   *
   * @throws ResourceNotFoundException when the snapshot does not exist
   * @throws StorageException when the cloud fails
   */
  void tagSnapshot(String snapshotId, Map<String, String> tags);

  /**
   * Deletes a snapshot. Idempotent: a snapshot that does not exist counts as deleted.
   *
   * @throws StorageException when the cloud fails (for example the snapshot is in use by an image)
   */
  void deleteSnapshot(String snapshotId);

  /**
   * Waits until a snapshot is {@link SnapshotState#COMPLETED}.
   *
   * @return the completed snapshot
   * @throws ResourceNotFoundException when the snapshot does not exist
   * @throws StorageException when the snapshot ends in {@link SnapshotState#ERROR}
   * @throws ProviderTimeoutException when it has not completed within {@code timeout}
   */
  CloudSnapshot awaitSnapshot(String snapshotId, Duration timeout);

  /**
   * Stores a small object (at most a few MiB), replacing any object at that location.
   *
   * @throws ProviderUnsupportedException when the provider has no {@link Capability#OBJECT_STORAGE}
   * @throws StorageException when the cloud fails
   */
  void putObject(ObjectLocation location, byte[] content);

  /**
   * Reads a small object.
   *
   * @return its bytes, or empty when there is no object at that location
   * @throws ProviderUnsupportedException when the provider has no {@link Capability#OBJECT_STORAGE}
   * @throws StorageException when the cloud fails
   */
  Optional<byte[]> getObject(ObjectLocation location);

  /** Releases the provider's SDK clients. Never throws. */
  @Override
  void close();
}
