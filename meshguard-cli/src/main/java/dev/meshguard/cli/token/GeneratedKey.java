package dev.meshguard.cli.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;

/**
 * A new key pair (or HMAC secret) for one algorithm, by JCA's generators, with its private JWK and
 * the public JWKS a RequestAuthentication trusts.
 *
 * @param privateJwk the private key (for HS, the secret) with `kid`, `alg` and `use: sig`
 * @param keyPair the JCA pair, null for an HMAC secret
 */
public record GeneratedKey(JwsAlgorithm algorithm, JWK privateJwk, KeyPair keyPair) {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * @param rsaBits the modulus size for RS and PS keys
   * @param kid the `kid`, or null for the RFC 7638 thumbprint of the public key
   */
  public static GeneratedKey generate(JwsAlgorithm alg, int rsaBits, String kid)
      throws GeneralSecurityException {
    JWSAlgorithm jwsAlg = JWSAlgorithm.parse(alg.name());
    JWK jwk;
    KeyPair pair = null;
    switch (alg.family()) {
      case RSA, RSA_PSS -> {
        if (rsaBits < 2048) {
          throw new IllegalArgumentException(
              "RSA keys must have at least 2048 bits (RFC 7518 section 3.3)");
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(rsaBits, RANDOM);
        pair = g.generateKeyPair();
        jwk =
            new RSAKey.Builder((RSAPublicKey) pair.getPublic())
                .privateKey((RSAPrivateKey) pair.getPrivate())
                .build();
      }
      case EC -> {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(alg.jcaCurve()), RANDOM);
        pair = g.generateKeyPair();
        jwk =
            new ECKey.Builder(Curve.parse(alg.curve()), (ECPublicKey) pair.getPublic())
                .privateKey((ECPrivateKey) pair.getPrivate())
                .build();
      }
      case EDDSA -> {
        pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the 32-byte key.
        byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        byte[] d =
            ((EdECPrivateKey) pair.getPrivate())
                .getBytes()
                .orElseThrow(() -> new GeneralSecurityException("Ed25519 key without its bytes"));
        jwk =
            new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x))
                .d(Base64URL.encode(d))
                .build();
      }
      case HMAC -> {
        byte[] secret = new byte[alg.secretBytes()];
        RANDOM.nextBytes(secret);
        jwk = new OctetSequenceKey.Builder(secret).build();
      }
      default -> throw new AssertionError(alg);
    }
    String keyId;
    try {
      keyId = kid != null ? kid : jwk.computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new GeneralSecurityException(e);
    }
    JWK complete = withKidAndAlg(jwk, keyId, jwsAlg);
    return new GeneratedKey(alg, complete, pair);
  }

  private static JWK withKidAndAlg(JWK jwk, String kid, JWSAlgorithm alg) {
    if (jwk instanceof RSAKey k) {
      return new RSAKey.Builder(k).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE).build();
    }
    if (jwk instanceof ECKey k) {
      return new ECKey.Builder(k).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE).build();
    }
    if (jwk instanceof OctetKeyPair k) {
      return new OctetKeyPair.Builder(k).keyID(kid).algorithm(alg).keyUse(KeyUse.SIGNATURE).build();
    }
    OctetSequenceKey k = (OctetSequenceKey) jwk;
    return new OctetSequenceKey.Builder(k)
        .keyID(kid)
        .algorithm(alg)
        .keyUse(KeyUse.SIGNATURE)
        .build();
  }

  public String kid() {
    return privateJwk.getKeyID();
  }

  /**
   * The JWKS to trust: the public key, or for HS the secret itself (a verifier of an HMAC token
   * needs it; Istio accepts it with a warning).
   */
  public String jwks() {
    JWK published = algorithm.isPublicKey() ? privateJwk.toPublicJWK() : privateJwk;
    return new JWKSet(published).toString(false);
  }

  /** The private key as PKCS#8 PEM; not for HS secrets. */
  public String privatePem() {
    if (keyPair == null) {
      throw new IllegalStateException("an HMAC secret has no PEM form");
    }
    return PemKeys.write(keyPair.getPrivate());
  }

  /** The private JWK as JSON (for HS, the secret). */
  public String privateJwkJson() {
    return privateJwk.toJSONString();
  }
}
