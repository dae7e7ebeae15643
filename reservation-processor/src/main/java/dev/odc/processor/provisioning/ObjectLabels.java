package dev.odc.processor.provisioning;

import dev.odc.core.Labels;
import dev.odc.core.Reservation;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every Kubernetes object of a reservation carries. */
public final class ObjectLabels {
  private ObjectLabels() {}

  /** Labels on everything of the reservation. */
  public static Map<String, String> of(Reservation r) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.RESERVATION_ID, r.id().toString());
    labels.put(Labels.USER, labelValue(r.username()));
    labels.put(Labels.MANAGED_BY, Labels.ODC);
    return labels;
  }

  /** A label value: at most 63 characters of letters, digits, '-', '_' and '.'. */
  public static String labelValue(String value) {
    String v = value.replaceAll("[^A-Za-z0-9._-]", "_");
    if (v.length() > 63) {
      v = v.substring(0, 63);
    }
    return v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
  }
}
