package dev.odc.processor.placement;

/** A GPU node as the capacity model sees it. */
public record NodeView(
    String name,
    String gpuType,
    String zone,
    int allocatableGpus,
    int freeGpus,
    long cpuMillis,
    long memoryBytes,
    String address) {}
