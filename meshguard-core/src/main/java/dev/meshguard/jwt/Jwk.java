package dev.meshguard.jwt;

import java.security.Key;

/**
 * One usable key of a {@link JwkSet}, reduced to what Envoy keeps of a JWK.
 *
 * @param kid the `kid`; null when absent, empty or not a string (Envoy ignores it then, so the key
 *     is tried for every token)
 * @param alg the `alg`; null when absent, empty or not a string (then the key is tried for every
 *     algorithm its type can check)
 * @param kty `RSA`, `EC`, `oct` or `OKP` (X.509 certificates give `RSA`)
 * @param crv `P-256`, `P-384`, `P-521` for EC keys (derived from `alg` when `crv` is absent),
 *     `Ed25519` for OKP keys, null otherwise
 * @param key the JCA key: an {@link java.security.interfaces.RSAPublicKey}, {@link
 *     java.security.interfaces.ECPublicKey}, {@link javax.crypto.SecretKey} (HMAC) or Ed25519
 *     {@link java.security.PublicKey}; null only for an Ed25519 `x` the JDK cannot decode, which
 *     Envoy accepts as a key that never verifies anything
 */
public record Jwk(String kid, String alg, String kty, String crv, Key key) {
  static final String RSA = "RSA";
  static final String EC = "EC";
  static final String OCT = "oct";
  static final String OKP = "OKP";

  @Override
  public String toString() {
    // Never print key material (an oct key is a secret).
    return "Jwk{kid=" + kid + ", alg=" + alg + ", kty=" + kty + ", crv=" + crv + "}";
  }
}
