package dev.odc.providers;

/**
 * This provider cannot do the operation at all, for example the {@code custom} provider has no
 * cloud API behind it, or a backend has no object storage yet. Callers treat it as "skip this
 * step", not as a failure to retry; {@link CloudProvider#capabilities()} says the same up front.
 */
public class ProviderUnsupportedException extends ProviderException {
  private static final long serialVersionUID = 1L;

  private final String provider;
  private final String operation;

  public ProviderUnsupportedException(String provider, String operation) {
    super(null, operation + " is not supported by the '" + provider + "' provider");
    this.provider = provider;
    this.operation = operation;
  }

  public String provider() {
    return provider;
  }

  public String operation() {
    return operation;
  }
}
