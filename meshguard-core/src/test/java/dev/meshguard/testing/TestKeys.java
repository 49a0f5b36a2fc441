package dev.meshguard.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.JwtException;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.jwt.JwtVerifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/** Signing keys made at test time, their public JWKS, and tokens signed with them. */
public final class TestKeys {
  public static final String ISSUER = "https://issuer.example.com";

  private TestKeys() {}

  public static ECKey key(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWKS of {@code keys}. */
  public static String jwks(ECKey... keys) {
    List<JWK> pub = Arrays.stream(keys).map(k -> (JWK) k.toPublicJWK()).toList();
    return new JWKSet(pub).toString(true);
  }

  public static String token(ECKey key, String issuer) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
              new JWTClaimsSet.Builder()
                  .issuer(issuer)
                  .subject("alice")
                  .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                  .build());
      jwt.sign(new ECDSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JwkSet parse(String jwks) {
    try {
      return JwkSet.parse(jwks);
    } catch (JwtException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when {@code token}'s signature verifies with one of {@code keys}. */
  public static boolean verifies(JwkSet keys, String token) {
    try {
      return JwtVerifier.verifySignature(dev.meshguard.jwt.Jwt.parse(token), keys) == JwtStatus.OK;
    } catch (JwtException e) {
      return false;
    }
  }
}
