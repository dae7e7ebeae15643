package dev.odc.providers;

/**
 * ODC's view of a cloud block volume's state. Each backend maps its cloud's native states onto
 * these in one table (see {@code docs/providers.md}).
 */
public enum VolumeState {
  /** Being created or restored from a snapshot; not usable yet. */
  CREATING,
  /** Exists and is attached to nothing. */
  AVAILABLE,
  /** Attached to at least one instance. */
  IN_USE,
  DELETING,
  DELETED,
  ERROR,
  /** A native state this version of ODC does not know. */
  UNKNOWN;

  /** True for states from which the volume will not become usable again. */
  public boolean terminal() {
    return this == DELETED || this == ERROR;
  }
}
