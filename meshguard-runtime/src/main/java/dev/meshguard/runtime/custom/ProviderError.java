package dev.meshguard.runtime.custom;

/**
 * The provider could not answer: what Envoy counts as an ext_authz error (`failOpen` and
 * `statusOnError` apply). The message names the provider's address or status, never request data.
 */
public final class ProviderError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** For metrics: `connect`, `timeout`, `status`, `protocol`, `circuit_open`. */
  private final String kind;

  public ProviderError(String kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public ProviderError(String kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
  }

  public String kind() {
    return kind;
  }
}
