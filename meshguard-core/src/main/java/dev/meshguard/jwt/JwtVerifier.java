package dev.meshguard.jwt;

import static java.util.Objects.requireNonNull;

import dev.meshguard.jwt.SignatureChecks.Hash;
import java.util.List;

/**
 * The checks after parsing, as Envoy's jwt_authn runs them (after the issuer check, which belongs
 * to the caller): time, then audiences, then signature. Stateless and thread-safe.
 */
public final class JwtVerifier {
  /** Envoy's default clock skew; Istio does not change it. */
  public static final long CLOCK_SKEW_SECONDS = 60;

  private static final String HTTP = "http://";
  private static final String HTTPS = "https://";

  private JwtVerifier() {}

  /**
   * `nbf`/`exp` against the clock with 60 s of skew, as Envoy's {@code verifyTimeConstraint}: not
   * yet valid when {@code now + 60 < nbf}; expired when {@code exp != 0 && now > exp + 60}; `iat`
   * is not looked at. Arithmetic is unsigned 64-bit, like Envoy's.
   */
  public static JwtStatus verifyTime(Jwt jwt, long nowEpochSeconds) {
    return verifyTime(jwt, nowEpochSeconds, CLOCK_SKEW_SECONDS);
  }

  /** {@link #verifyTime(Jwt, long)} with another skew (Envoy's {@code clock_skew_seconds}). */
  public static JwtStatus verifyTime(Jwt jwt, long nowEpochSeconds, long skewSeconds) {
    requireNonNull(jwt, "jwt");
    return verifyTime(jwt.registeredClaims(), nowEpochSeconds, skewSeconds);
  }

  /** {@link #verifyTime(Jwt, long)} on the claims of a token parsed earlier. */
  public static JwtStatus verifyTime(RegisteredClaims claims, long nowEpochSeconds) {
    return verifyTime(claims, nowEpochSeconds, CLOCK_SKEW_SECONDS);
  }

  private static JwtStatus verifyTime(
      RegisteredClaims claims, long nowEpochSeconds, long skewSeconds) {
    if (Long.compareUnsigned(nowEpochSeconds + skewSeconds, claims.notBeforeUnsigned()) < 0) {
      return JwtStatus.JWT_NOT_YET_VALID;
    }
    long expiry = claims.expiryUnsigned();
    if (expiry != 0 && Long.compareUnsigned(nowEpochSeconds, expiry + skewSeconds) > 0) {
      return JwtStatus.JWT_EXPIRED;
    }
    return JwtStatus.OK;
  }

  /**
   * OK when {@code allowed} is empty or some `aud` matches one of them. Both sides are compared
   * after dropping a leading `http://` or `https://` and one trailing `/` (Envoy's {@code
   * CheckAudience}); a token without `aud` fails a non-empty list.
   */
  public static JwtStatus verifyAudiences(Jwt jwt, List<String> allowed) {
    requireNonNull(jwt, "jwt");
    return verifyAudiences(jwt.registeredClaims(), allowed);
  }

  /** {@link #verifyAudiences(Jwt, List)} on the claims of a token parsed earlier. */
  public static JwtStatus verifyAudiences(RegisteredClaims claims, List<String> allowed) {
    requireNonNull(claims, "claims");
    requireNonNull(allowed, "allowed");
    if (allowed.isEmpty()) {
      return JwtStatus.OK;
    }
    for (String audience : claims.audiences()) {
      for (String candidate : allowed) {
        if (sameAudience(audience, candidate)) {
          return JwtStatus.OK;
        }
      }
    }
    return JwtStatus.JWT_AUDIENCE_NOT_ALLOWED;
  }

  /**
   * Key choice and signature check, as Envoy's {@code verifyJwtWithoutTimeChecking}. Keys are
   * walked in order; a key is skipped when both it and the token have a `kid` and they differ, or
   * when the key has an `alg` other than the token's. Every other key is tried by its type, with
   * the digest named by the token's `alg`: EC keys by ECDSA, RSA keys by PKCS#1 v1.5 (`RS*`) or PSS
   * (`PS*`, other algorithms are not tried), oct keys by HMAC, Ed25519 keys by EdDSA. The first
   * success wins. No key left after the filter: {@link JwtStatus#JWKS_KID_ALG_MISMATCH}; keys tried
   * and all failed: {@link JwtStatus#JWT_VERIFICATION_FAIL}; an Ed25519 key reached with a
   * signature that is not 64 bytes: {@link JwtStatus#JWT_ED25519_SIGNATURE_WRONG_LENGTH} at once.
   *
   * <p>The type decides the primitive, the token's `alg` only the digest: an `HS256` token is never
   * checked against an RSA or EC key as an HMAC secret.
   */
  public static JwtStatus verifySignature(Jwt jwt, JwkSet keys) {
    requireNonNull(jwt, "jwt");
    requireNonNull(keys, "keys");
    String alg = jwt.algorithm();
    String kid = jwt.keyId();
    boolean tokenHasKid = kid != null && !kid.isEmpty();
    // Written into the thread's buffer: the primitives read data[0, length).
    int length = jwt.signingInputLength();
    byte[] data = ParseScratch.get().signingInput(length);
    jwt.writeSigningInput(data);
    byte[] signature = jwt.signatureBytes();
    boolean anyKeyMatched = false;
    for (Jwk key : keys.keys()) {
      if (tokenHasKid && key.kid() != null && !key.kid().equals(kid)) {
        continue;
      }
      if (key.alg() != null && !key.alg().equals(alg)) {
        continue;
      }
      anyKeyMatched = true;
      switch (key.kty()) {
        case Jwk.EC -> {
          if (SignatureChecks.ecdsa(key.key(), ecdsaHash(alg), data, length, signature)) {
            return JwtStatus.OK;
          }
        }
        case Jwk.RSA -> {
          Hash hash = rsaHash(alg);
          boolean verified =
              alg.startsWith("RS")
                  ? SignatureChecks.rsaPkcs1(key.key(), hash, data, length, signature)
                  : alg.startsWith("PS")
                      && SignatureChecks.rsaPss(key.key(), hash, data, length, signature);
          if (verified) {
            return JwtStatus.OK;
          }
        }
        case Jwk.OCT -> {
          if (SignatureChecks.hmac(key.key(), hmacHash(alg), data, length, signature)) {
            return JwtStatus.OK;
          }
        }
        case Jwk.OKP -> {
          if (signature.length != 64) {
            return JwtStatus.JWT_ED25519_SIGNATURE_WRONG_LENGTH;
          }
          if (SignatureChecks.ed25519(key.key(), data, length, signature)) {
            return JwtStatus.OK;
          }
        }
        default -> {
          // JwkParser produces no other type.
        }
      }
    }
    return anyKeyMatched ? JwtStatus.JWT_VERIFICATION_FAIL : JwtStatus.JWKS_KID_ALG_MISMATCH;
  }

  /**
   * Time, then audiences, then signature, as Envoy's authenticator runs them once the issuer is
   * known to be configured; the first failure is the result.
   */
  public static JwtStatus verify(
      Jwt jwt, JwkSet keys, List<String> audiences, long nowEpochSeconds) {
    JwtStatus status = verifyTime(jwt, nowEpochSeconds);
    if (status != JwtStatus.OK) {
      return status;
    }
    status = verifyAudiences(jwt, audiences);
    if (status != JwtStatus.OK) {
      return status;
    }
    return verifySignature(jwt, keys);
  }

  private static Hash ecdsaHash(String alg) {
    return switch (alg) {
      case "ES384" -> Hash.SHA384;
      case "ES512" -> Hash.SHA512;
      default -> Hash.SHA256;
    };
  }

  private static Hash rsaHash(String alg) {
    return switch (alg) {
      case "RS384", "PS384" -> Hash.SHA384;
      case "RS512", "PS512" -> Hash.SHA512;
      default -> Hash.SHA256;
    };
  }

  private static Hash hmacHash(String alg) {
    return switch (alg) {
      case "HS384" -> Hash.SHA384;
      case "HS512" -> Hash.SHA512;
      default -> Hash.SHA256;
    };
  }

  /** Envoy's {@code sanitizeAudience} on both sides, compared without building strings. */
  static boolean sameAudience(String a, String b) {
    int aStart = audienceStart(a);
    int aEnd = Math.max(aStart, audienceEnd(a));
    int bStart = audienceStart(b);
    int bEnd = Math.max(bStart, audienceEnd(b));
    int length = aEnd - aStart;
    return length == bEnd - bStart && a.regionMatches(aStart, b, bStart, length);
  }

  private static int audienceStart(String audience) {
    if (audience.startsWith(HTTP)) {
      return HTTP.length();
    }
    return audience.startsWith(HTTPS) ? HTTPS.length() : 0;
  }

  private static int audienceEnd(String audience) {
    int end = audience.length();
    return end > 0 && audience.charAt(end - 1) == '/' ? end - 1 : end;
  }
}
