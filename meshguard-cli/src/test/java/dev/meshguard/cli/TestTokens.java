package dev.meshguard.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/** An RS256 key made for one test run, its JWKS, and tokens signed with it. */
final class TestTokens {
  static final String ISSUER = "https://issuer.meshguard.test";
  static final String KID = "test-key-1";

  private final KeyPair keys;

  TestTokens() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      keys = g.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWKS, as it goes into a RequestAuthentication's inline `jwks`. */
  String jwks() {
    return jwks(KID);
  }

  /** The public JWKS with the key under {@code kid} (what a JWKS endpoint serves). */
  String jwks(String kid) {
    RSAKey pub = new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID(kid).build();
    return "{\"keys\":[" + pub.toJSONString() + "]}";
  }

  /** A token valid for an hour, with extra claims. */
  String valid(String subject, Map<String, Object> claims) {
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(subject)
            .issueTime(Date.from(Instant.now().minusSeconds(10)))
            .expirationTime(Date.from(Instant.now().plusSeconds(3600)));
    claims.forEach(b::claim);
    return sign(KID, b.build());
  }

  String sign(String kid, JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
      jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("alice")
        .expirationTime(Date.from(Instant.now().plusSeconds(3600)));
  }

  /** The same token with one signature character changed (still valid base64url). */
  static String tamper(String token) {
    return DemoCommand.tamper(token);
  }
}
