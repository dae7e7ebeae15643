package dev.odc.testing.sim;

import java.util.List;
import java.util.Objects;

/**
 * A group of identical simulated GPU nodes, spread round-robin over {@code zones}.
 *
 * @param gpuType value of the GPU type node label, for example {@code h100}
 * @param count how many nodes
 * @param gpusPerNode {@code nvidia.com/gpu} capacity of each node; 0 makes CPU-only, untainted
 *     nodes
 * @param cpusPerNode cpu capacity of each node
 * @param memoryGiPerNode memory capacity of each node in GiB
 * @param zones values of {@code topology.kubernetes.io/zone}, used in turn
 */
public record NodePool(
    String gpuType,
    int count,
    int gpusPerNode,
    int cpusPerNode,
    int memoryGiPerNode,
    List<String> zones) {
  public NodePool {
    Objects.requireNonNull(gpuType, "gpuType is null");
    if (gpuType.isBlank()) {
      throw new IllegalArgumentException("gpuType must not be blank");
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, was " + count);
    }
    if (gpusPerNode < 0) {
      throw new IllegalArgumentException("gpusPerNode must not be negative, was " + gpusPerNode);
    }
    if (cpusPerNode <= 0) {
      throw new IllegalArgumentException("cpusPerNode must be positive, was " + cpusPerNode);
    }
    if (memoryGiPerNode <= 0) {
      throw new IllegalArgumentException(
          "memoryGiPerNode must be positive, was " + memoryGiPerNode);
    }
    zones = List.copyOf(Objects.requireNonNull(zones, "zones is null"));
    if (zones.isEmpty()) {
      throw new IllegalArgumentException("zones must name at least one zone");
    }
  }

  /**
   * {@code count} nodes of {@code gpusPerNode} GPUs with 16 CPUs and 128 GiB per GPU (at least 8
   * CPUs and 32 GiB), in one zone {@code zone-a}.
   */
  public static NodePool of(String gpuType, int count, int gpusPerNode) {
    return new NodePool(
        gpuType,
        count,
        gpusPerNode,
        Math.max(8, 16 * gpusPerNode),
        Math.max(32, 128 * gpusPerNode),
        List.of("zone-a"));
  }

  /** This pool with its nodes spread over {@code zones}. */
  public NodePool inZones(String... zones) {
    return new NodePool(gpuType, count, gpusPerNode, cpusPerNode, memoryGiPerNode, List.of(zones));
  }
}
