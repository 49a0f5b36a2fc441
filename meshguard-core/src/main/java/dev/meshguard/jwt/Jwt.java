package dev.meshguard.jwt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A parsed (not yet verified) compact JWS, checked the way Envoy's jwt_verify_lib parses tokens.
 * PLACEHOLDER API: implemented by the jwt work package.
 */
public final class Jwt {
  private Jwt() {}

  /** Parses a token; the exception carries the Envoy status of the first problem. */
  public static Jwt parse(String token) throws JwtException {
    throw new JwtException(JwtStatus.JWT_BAD_FORMAT);
  }

  public String algorithm() {
    return null;
  }

  /** Null when the header has no `kid`. */
  public String keyId() {
    return null;
  }

  /** Null when absent. */
  public String issuer() {
    return null;
  }

  /** Null when absent. */
  public String subject() {
    return null;
  }

  /** The `aud` claim as a list (a string becomes one element); empty when absent. */
  public List<String> audiences() {
    return List.of();
  }

  /** `nbf` in epoch seconds, 0 when absent. */
  public long notBefore() {
    return 0;
  }

  /** `exp` in epoch seconds, 0 when absent. */
  public long expiry() {
    return 0;
  }

  /** The decoded header JSON. */
  public ObjectNode header() {
    return null;
  }

  /** The decoded payload JSON (the claims). */
  public ObjectNode payload() {
    return null;
  }

  /** The payload segment exactly as it appears in the token (base64url). */
  public String payloadSegment() {
    return null;
  }
}
