package dev.odc.api.service;

import dev.odc.api.errors.ApiException;
import dev.odc.core.Checks;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks of request fields; each failure names the field. */
public final class Validation {
  private static final Pattern LABEL_KEY =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}");
  private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{8}");
  public static final int MAX_LABELS = 20;

  /** The shortest reservation or extension: one minute. */
  public static final double MIN_HOURS = 1.0 / 60;

  /** The instants a request may name: PostgreSQL's timestamptz holds these and more. */
  public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  private Validation() {}

  public static <T> T required(T value, String field) {
    if (value == null) {
      throw ApiException.invalid(field, field + " is required");
    }
    return value;
  }

  public static String name(String value, String field) {
    if (!Checks.isValidName(value)) {
      throw ApiException.invalid(
          field,
          field
              + " is not a valid name: use 1-"
              + Checks.MAX_NAME_LENGTH
              + " lower-case letters, digits and '-', starting with a letter and not ending"
              + " with '-'");
    }
    return value;
  }

  public static String image(String value) {
    if (value != null && !IMAGE.matcher(value).matches()) {
      throw ApiException.invalid("image", "image is not a valid container image reference");
    }
    return value;
  }

  public static Map<String, String> labels(Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw ApiException.invalid("labels", "at most " + MAX_LABELS + " labels are allowed");
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (label.getKey() == null || !LABEL_KEY.matcher(label.getKey()).matches()) {
        throw ApiException.invalid("labels", "label key is not a valid Kubernetes label key");
      }
      if (label.getValue() == null || !LABEL_VALUE.matcher(label.getValue()).matches()) {
        throw ApiException.invalid("labels", "label '" + label.getKey() + "' has an invalid value");
      }
    }
    return labels;
  }

  public static double hours(Double hours, String field) {
    required(hours, field);
    if (hours.isNaN() || hours.isInfinite() || hours < MIN_HOURS) {
      throw ApiException.invalid(
          field, field + " must be a number of hours of at least one minute (" + MIN_HOURS + ")");
    }
    return hours;
  }

  /**
   * An ISO-8601 instant between {@link #EARLIEST} and {@link #LATEST}, or null for null or blank.
   */
  public static Instant instant(String value, String field) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Instant parsed;
    try {
      parsed = Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw ApiException.invalid(
          field, field + " must be an ISO-8601 instant like 2026-01-31T12:00:00Z");
    }
    if (!inRange(parsed)) {
      throw ApiException.invalid(field, field + " must be between years 1 and 9999");
    }
    return parsed;
  }

  /** Whether a database can store {@code at} ({@link #EARLIEST} to {@link #LATEST}). */
  public static boolean inRange(Instant at) {
    return !at.isBefore(EARLIEST) && !at.isAfter(LATEST);
  }

  /** True for the 8 hex characters the CLI shows as a reservation's short id. */
  public static boolean isShortId(String value) {
    return HEX_PREFIX.matcher(value).matches();
  }
}
