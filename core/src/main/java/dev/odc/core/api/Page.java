package dev.odc.core.api;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param nextCursor opaque; pass it as {@code ?cursor=} for the next page, null on the last page
 */
public record Page<T>(List<T> items, String nextCursor) {
  public Page {
    items = items == null ? List.of() : List.copyOf(items);
  }
}
