package dev.odc.providers;

/**
 * A provider's configuration is incomplete or wrong. The message names the setting and gives an
 * example value, so start-up fails with something an operator can act on.
 */
public class ProviderConfigurationException extends ProviderException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  public ProviderConfigurationException(String setting, String message) {
    super(null, setting + ": " + message);
    this.setting = setting;
  }

  /** The setting's name, as written in the YAML configuration. */
  public String setting() {
    return setting;
  }

  /**
   * Throws when {@code value} is null or blank, naming the setting and an example.
   *
   * @param setting the setting's full path, e.g. {@code cloud.region}
   * @param example an example value, shown as the YAML line an operator would write
   */
  public static String require(String value, String setting, String example) {
    if (value == null || value.isBlank()) {
      String key = setting.substring(setting.lastIndexOf('.') + 1);
      throw new ProviderConfigurationException(
          setting, "is required, for example '" + key + ": " + example + "'");
    }
    return value;
  }
}
