package dev.odc.core;

import java.time.Instant;

/**
 * A kind of GPU node and its current availability.
 *
 * @param nodeLabelValue value of the configured node label that marks nodes of this type
 * @param maxReservable the most GPUs one reservation can get right now
 * @param estimatedWaitSeconds expected wait for one more GPU, 0 when one is free
 */
public record GpuType(
    String name,
    String nodeLabelValue,
    int gpusPerNode,
    int cpusPerNode,
    int memoryGbPerNode,
    int totalGpus,
    int inUseGpus,
    int freeGpus,
    int fullNodesFree,
    int maxReservable,
    int queued,
    long estimatedWaitSeconds,
    Instant updatedAt) {
  public GpuType {
    Checks.notBlank(name, "name");
    Checks.notBlank(nodeLabelValue, "nodeLabelValue");
    Checks.positive(gpusPerNode, "gpusPerNode");
    Checks.nonNegative(cpusPerNode, "cpusPerNode");
    Checks.nonNegative(memoryGbPerNode, "memoryGbPerNode");
    Checks.nonNegative(totalGpus, "totalGpus");
    Checks.nonNegative(inUseGpus, "inUseGpus");
    Checks.nonNegative(freeGpus, "freeGpus");
    Checks.nonNegative(fullNodesFree, "fullNodesFree");
    Checks.nonNegative(maxReservable, "maxReservable");
    Checks.nonNegative(queued, "queued");
    Checks.nonNegative(estimatedWaitSeconds, "estimatedWaitSeconds");
  }
}
