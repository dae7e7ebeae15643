package dev.odc.api.service;

import dev.odc.api.errors.ApiException;
import dev.odc.database.Cursor;

/** Page sizes and cursors of listings. */
public final class Pages {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  private Pages() {}

  public static int limit(Integer requested) {
    if (requested == null) {
      return DEFAULT_LIMIT;
    }
    if (requested < 1 || requested > MAX_LIMIT) {
      throw ApiException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
    }
    return requested;
  }

  public static Cursor cursor(String cursor) {
    Cursor decoded;
    try {
      decoded = Cursor.decodeNullable(cursor);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("cursor", "cursor is invalid");
    }
    if (decoded != null && !Validation.inRange(decoded.createdAt())) {
      // not one this API made: a cursor outside the database's range of times
      throw ApiException.invalid("cursor", "cursor is invalid");
    }
    return decoded;
  }
}
