package dev.odc.processor.placement;

import java.util.List;

/**
 * Where a reservation goes: a zone (null when the nodes carry no zone label) and the nodes that had
 * room for it when it was placed.
 */
public record Placement(String zone, List<NodeView> nodes) {
  public Placement {
    nodes = List.copyOf(nodes);
  }
}
