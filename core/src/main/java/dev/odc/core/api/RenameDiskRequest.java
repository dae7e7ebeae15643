package dev.odc.core.api;

/** Body of {@code POST /v1/disks/{name}/rename}. */
public record RenameDiskRequest(String newName) {}
