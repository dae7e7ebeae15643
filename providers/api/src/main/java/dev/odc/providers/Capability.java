package dev.odc.providers;

/** What a {@link CloudProvider} can do; callers check before relying on an operation. */
public enum Capability {
  /** Create, describe, list, tag and delete block volumes. */
  VOLUMES,
  /** Attach volumes to and detach them from instances. */
  ATTACH,
  /** Create, describe, list and delete snapshots. */
  SNAPSHOTS,
  /** Put and get small objects. */
  OBJECT_STORAGE,
  /** List the zones the provider can place volumes in. */
  ZONES
}
