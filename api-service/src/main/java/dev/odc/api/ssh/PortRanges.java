package dev.odc.api.ssh;

import java.util.ArrayList;
import java.util.List;

/** A set of TCP ports written as single ports and {@code FROM-TO} ranges. */
public record PortRanges(List<int[]> ranges, List<String> text) {
  public PortRanges {
    ranges = List.copyOf(ranges);
    text = List.copyOf(text);
  }

  /**
   * @throws IllegalArgumentException naming the entry that is not a port or range of 1-65535
   */
  public static PortRanges parse(List<String> entries) {
    List<int[]> ranges = new ArrayList<>();
    for (String entry : entries) {
      String e = entry == null ? "" : entry.strip();
      String[] bounds = e.split("-", 2);
      try {
        int from = Integer.parseInt(bounds[0].strip());
        int to = bounds.length == 2 ? Integer.parseInt(bounds[1].strip()) : from;
        if (from < 1 || to > 65535 || from > to) {
          throw new NumberFormatException();
        }
        ranges.add(new int[] {from, to});
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            "'" + entry + "' is not a port or a range FROM-TO of ports 1-65535");
      }
    }
    return new PortRanges(ranges, entries);
  }

  public boolean contains(int port) {
    return ranges.stream().anyMatch(r -> port >= r[0] && port <= r[1]);
  }

  @Override
  public String toString() {
    return String.join(", ", text);
  }
}
