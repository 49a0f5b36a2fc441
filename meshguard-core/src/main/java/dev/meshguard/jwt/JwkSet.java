package dev.meshguard.jwt;

/**
 * A parsed JWKS (or Google's X.509 certificate map), with Envoy's leniency and checks. PLACEHOLDER
 * API: implemented by the jwt work package.
 */
public final class JwkSet {
  private JwkSet() {}

  public static JwkSet parse(String text) throws JwtException {
    throw new JwtException(JwtStatus.JWKS_PARSE_ERROR);
  }

  /** Number of usable keys. */
  public int size() {
    return 0;
  }

  /** True when some key carries private or symmetric material (`d`, `k`, `p`...). */
  public boolean hasPrivateOrSymmetricKeyMaterial() {
    return false;
  }
}
