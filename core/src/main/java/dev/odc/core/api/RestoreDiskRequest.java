package dev.odc.core.api;

/**
 * Body of {@code POST /v1/disks/{name}/restore}: the next reservation of the disk starts from this
 * snapshot (its id, as {@code GET /v1/disks/{name}/snapshots} lists it).
 */
public record RestoreDiskRequest(String snapshotId) {}
