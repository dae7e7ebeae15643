package dev.odc.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Small formatting and parsing helpers shared by the commands. */
final class Fmt {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private Fmt() {}

  static String time(Instant t) {
    return t == null ? "-" : TIME.format(t) + "Z";
  }

  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 60) {
      return minutes + "m";
    }
    return minutes / 60 + "h" + (minutes % 60 == 0 ? "" : String.format("%02dm", minutes % 60));
  }

  static String hours(double hours) {
    return hours == Math.rint(hours) ? String.valueOf((long) hours) : String.valueOf(hours);
  }

  /**
   * A point in time from {@code 24h}, {@code 30m}, {@code 7d} (that long ago) or an ISO-8601
   * instant.
   */
  static Instant since(String value, Instant now) {
    String v = value.strip();
    try {
      if (v.matches("\\d+[smhd]")) {
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        Duration d =
            switch (v.charAt(v.length() - 1)) {
              case 's' -> Duration.ofSeconds(n);
              case 'm' -> Duration.ofMinutes(n);
              case 'h' -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
        return now.minus(d);
      }
      return Instant.parse(v);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw CliException.usage(
          "'"
              + value
              + "' is not a time: use 30m, 24h, 7d or an ISO-8601 instant like 2026-01-31T12:00:00Z");
    }
  }
}
