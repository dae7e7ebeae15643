package dev.odc.database;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * The position after the last row of a page, for keyset pagination over {@code (created_at, id)} in
 * descending order. Clients see it only as the opaque string of {@link #encode()}.
 */
public record Cursor(Instant createdAt, UUID id) {
  public Cursor {
    if (createdAt == null || id == null) {
      throw new IllegalArgumentException("cursor needs createdAt and id");
    }
  }

  public String encode() {
    long micros =
        Math.addExact(
            Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L),
            createdAt.getNano() / 1_000L);
    String plain = micros + "/" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a cursor from {@link #encode()}.
   *
   * @throws IllegalArgumentException "cursor is invalid" for anything else
   */
  public static Cursor decode(String cursor) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int slash = plain.indexOf('/');
      long micros = Long.parseLong(plain.substring(0, slash));
      UUID id = UUID.fromString(plain.substring(slash + 1));
      return new Cursor(
          Instant.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L),
          id);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cursor is invalid", e);
    }
  }

  /** Null for a null or empty cursor (the first page), else {@link #decode}. */
  public static Cursor decodeNullable(String cursor) {
    return cursor == null || cursor.isEmpty() ? null : decode(cursor);
  }
}
