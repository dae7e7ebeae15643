package dev.odc.providers;

/**
 * ODC's view of a cloud snapshot's state. Each backend maps its cloud's native states onto these in
 * one table (see {@code docs/providers.md}).
 */
public enum SnapshotState {
  /** Being taken or uploaded. */
  PENDING,
  /** Complete; volumes can be created from it. */
  COMPLETED,
  ERROR,
  DELETING,
  /** A native state this version of ODC does not know. */
  UNKNOWN;

  /** True once the snapshot will not change state by itself any more (other than deletion). */
  public boolean settled() {
    return this == COMPLETED || this == ERROR;
  }
}
