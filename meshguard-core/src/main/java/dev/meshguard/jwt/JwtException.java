package dev.meshguard.jwt;

/** A token or key set that cannot be used, with the Envoy status that says why. */
public final class JwtException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient JwtStatus status;

  public JwtException(JwtStatus status) {
    super(status.message(), null, false, false);
    this.status = status;
  }

  public JwtStatus status() {
    return status;
  }
}
