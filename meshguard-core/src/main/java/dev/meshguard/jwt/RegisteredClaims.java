package dev.meshguard.jwt;

import java.util.List;

/**
 * The registered claims of a token (RFC 7519 section 4.1) as Envoy reads them, without the rest of
 * the token: what the checks after the signature need (issuer, time, audiences) and what identifies
 * the caller. Small on purpose: a verified-token cache keeps one per token.
 *
 * @param issuer `iss`, null when absent
 * @param subject `sub`, null when absent
 * @param jwtId `jti`, null when absent
 * @param audiences `aud` as a list (a string becomes one element), empty when absent
 * @param issuedAtUnsigned `iat` as an unsigned 64-bit value, 0 when absent
 * @param notBeforeUnsigned `nbf` as an unsigned 64-bit value, 0 when absent
 * @param expiryUnsigned `exp` as an unsigned 64-bit value, 0 when absent
 */
public record RegisteredClaims(
    String issuer,
    String subject,
    String jwtId,
    List<String> audiences,
    long issuedAtUnsigned,
    long notBeforeUnsigned,
    long expiryUnsigned) {

  public RegisteredClaims {
    audiences = List.copyOf(audiences);
  }

  /** `iat` in epoch seconds; values from 2^63 on read as {@link Long#MAX_VALUE}. */
  public long issuedAt() {
    return saturated(issuedAtUnsigned);
  }

  /** `nbf` in epoch seconds; values from 2^63 on read as {@link Long#MAX_VALUE}. */
  public long notBefore() {
    return saturated(notBeforeUnsigned);
  }

  /** `exp` in epoch seconds; values from 2^63 on read as {@link Long#MAX_VALUE}. */
  public long expiry() {
    return saturated(expiryUnsigned);
  }

  private static long saturated(long unsigned) {
    return unsigned < 0 ? Long.MAX_VALUE : unsigned;
  }
}
