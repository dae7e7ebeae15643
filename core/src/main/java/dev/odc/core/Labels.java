package dev.odc.core;

/**
 * The Kubernetes label, annotation and resource keys ODC reads and writes, defined once for every
 * service, provider and test.
 */
public final class Labels {
  private Labels() {}

  /** The extended resource of NVIDIA GPUs on nodes and in container requests and limits. */
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** The well-known node label of a node's zone; claims bound in a zone carry it too. */
  public static final String ZONE = "topology.kubernetes.io/zone";

  /** The node label that carries the GPU type unless configured otherwise. */
  public static final String DEFAULT_GPU_TYPE = "odc.dev/gpu-type";

  /** On every object of a reservation: its id. */
  public static final String RESERVATION_ID = "odc.dev/reservation-id";

  /** On every object of a user: the user name as a label value. */
  public static final String USER = "odc.dev/user";

  /** On claims and snapshots of a home disk: the disk's id. */
  public static final String DISK_ID = "odc.dev/disk-id";

  /** On the pods of a reservation: which of its nodes the pod is, from 0. */
  public static final String NODE_INDEX = "odc.dev/node-index";

  /** The well-known label of the tool that manages an object; ODC's objects say {@link #ODC}. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** The {@link #MANAGED_BY} value of ODC's objects. */
  public static final String ODC = "odc";

  /** Annotation on a reservation's pods: when the reservation was made. */
  public static final String RESERVED_AT = "odc.dev/reserved-at";

  /** Annotation on a claim created for a zone: the zone it must be bound in. */
  public static final String ZONE_ANNOTATION = "odc.dev/zone";
}
