package dev.odc.core;

import java.util.Objects;
import java.util.regex.Pattern;

/** Argument checks used by the records' compact constructors; each message names the field. */
public final class Checks {
  /**
   * A DNS-1123 label subset: names become parts of Kubernetes object names, so they are lower case
   * letters, digits and dashes, start with a letter, do not end with a dash.
   */
  private static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]{0,38}[a-z0-9])?");

  public static final int MAX_NAME_LENGTH = 40;

  private Checks() {}

  public static <T> T notNull(T value, String field) {
    return Objects.requireNonNull(value, () -> field + " is required");
  }

  public static String notBlank(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return value;
  }

  public static int positive(int value, String field) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    return value;
  }

  public static int nonNegative(int value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
    return value;
  }

  public static long nonNegative(long value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
    return value;
  }

  public static double positive(double value, String field) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " must be a positive number, was " + value);
    }
    return value;
  }

  /** True when {@code value} may be used as an ODC resource name (reservation, disk). */
  public static boolean isValidName(String value) {
    return value != null && NAME.matcher(value).matches();
  }

  public static String name(String value, String field) {
    notBlank(value, field);
    if (!isValidName(value)) {
      throw new IllegalArgumentException(
          field
              + " '"
              + value
              + "' is not a valid name: use 1-"
              + MAX_NAME_LENGTH
              + " lower-case letters, digits and '-', starting with a letter and not ending with '-'");
    }
    return value;
  }
}
