package dev.odc.sandbox;

import dev.odc.testing.sim.NodePool;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code --nodes} syntax of the simulated cluster: {@code h100=2x8,l4=4x4}. */
final class NodePools {
  static final String DEFAULT = "h100=2x8,l4=4x4";

  private static final Pattern POOL =
      Pattern.compile("([a-z0-9][a-z0-9.-]{0,40})=([0-9]{1,3})x([0-9]{1,2})");

  private NodePools() {}

  /**
   * Parses {@code TYPE=NODESxGPUS} entries separated by commas.
   *
   * @throws IllegalArgumentException naming the entry that is wrong and the expected form
   */
  static List<NodePool> parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "--nodes is empty; expected TYPE=NODESxGPUS[,...], e.g. " + DEFAULT);
    }
    List<NodePool> pools = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String entry : spec.split(",")) {
      String e = entry.strip().toLowerCase(java.util.Locale.ROOT);
      Matcher m = POOL.matcher(e);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "--nodes entry '"
                + entry.strip()
                + "' is not TYPE=NODESxGPUS (e.g. h100=2x8: two nodes of 8 GPUs)");
      }
      String type = m.group(1);
      int nodes = Integer.parseInt(m.group(2));
      int gpus = Integer.parseInt(m.group(3));
      if (nodes < 1 || nodes > 100) {
        throw new IllegalArgumentException(
            "--nodes entry '" + e + "': between 1 and 100 nodes per type, got " + nodes);
      }
      if (gpus < 1 || gpus > 16) {
        throw new IllegalArgumentException(
            "--nodes entry '" + e + "': between 1 and 16 GPUs per node, got " + gpus);
      }
      if (!seen.add(type)) {
        throw new IllegalArgumentException("--nodes names GPU type '" + type + "' twice");
      }
      pools.add(NodePool.of(type, nodes, gpus));
    }
    return List.copyOf(pools);
  }

  /** {@code 2 × 8 h100, 4 × 4 l4}, for the banner. */
  static String describe(List<NodePool> pools) {
    return String.join(
        ", ",
        pools.stream().map(p -> p.count() + " × " + p.gpusPerNode() + " " + p.gpuType()).toList());
  }
}
