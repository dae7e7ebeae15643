package dev.odc.core.api;

/** Body of {@code POST /v1/disks}. {@code sizeGb} null means the platform's default size. */
public record CreateDiskRequest(String name, Integer sizeGb) {}
