package dev.odc.providers;

import java.util.Map;
import java.util.Objects;

/** Checks shared by the records for label and tag maps. */
final class Labels {
  private Labels() {}

  static Map<String, String> copy(Map<String, String> labels, String field) {
    if (labels == null) {
      return Map.of();
    }
    labels.forEach(
        (k, v) -> {
          if (k == null || k.isBlank()) {
            throw new IllegalArgumentException(field + " must not contain a blank key");
          }
          Objects.requireNonNull(v, () -> field + " value for '" + k + "' is required");
        });
    return Map.copyOf(labels);
  }

  static String notBlank(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return value;
  }

  static String optional(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * A Kubernetes object name: DNS-1123 subdomain, at most 253 characters. Checked here so a bad
   * name fails before any API call, with the field in the message.
   */
  static String kubernetesName(String value, String field) {
    notBlank(value, field);
    if (value.length() > 253 || !value.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
      throw new IllegalArgumentException(
          field
              + " '"
              + value
              + "' is not a valid Kubernetes name: lower-case letters, digits, '-' and '.',"
              + " starting and ending with a letter or digit");
    }
    return value;
  }
}
