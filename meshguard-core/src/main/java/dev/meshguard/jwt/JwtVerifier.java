package dev.meshguard.jwt;

import java.util.List;

/**
 * The checks after parsing, in Envoy's order. PLACEHOLDER API: implemented by the jwt work package.
 */
public final class JwtVerifier {
  /** Envoy's default clock skew; Istio does not change it. */
  public static final long CLOCK_SKEW_SECONDS = 60;

  private JwtVerifier() {}

  /** `nbf`/`exp` against the clock with 60 s of skew. */
  public static JwtStatus verifyTime(Jwt jwt, long nowEpochSeconds) {
    return JwtStatus.JWT_VERIFICATION_FAIL;
  }

  /** OK when {@code allowed} is empty or some `aud` matches (scheme and trailing `/` ignored). */
  public static JwtStatus verifyAudiences(Jwt jwt, List<String> allowed) {
    return JwtStatus.JWT_AUDIENCE_NOT_ALLOWED;
  }

  /** Key choice by kid/alg and the signature check. */
  public static JwtStatus verifySignature(Jwt jwt, JwkSet keys) {
    return JwtStatus.JWT_VERIFICATION_FAIL;
  }
}
