package dev.odc.providers;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dropwizard.jackson.Discoverable;

/**
 * Configuration of the cloud provider, chosen by its {@code type}:
 *
 * <pre>{@code
 * cloud:
 *   type: aws          # or gcp, custom
 *   region: us-east-1
 * }</pre>
 *
 * <p>Each backend module has one implementation annotated {@code @JsonTypeName} and listed in
 * {@code META-INF/services/dev.odc.providers.CloudProviderFactory} and {@code
 * META-INF/services/io.dropwizard.jackson.Discoverable}, so Dropwizard finds it on the classpath.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public interface CloudProviderFactory extends Discoverable {

  /**
   * Checks the settings without contacting the cloud.
   *
   * @throws ProviderConfigurationException naming the first missing or wrong setting and giving an
   *     example value
   */
  void validate();

  /**
   * Validates the settings and builds the provider with its SDK clients. The caller owns the result
   * and closes it (a Dropwizard application manages it).
   *
   * @throws ProviderConfigurationException when a setting is missing or wrong
   */
  CloudProvider build();
}
