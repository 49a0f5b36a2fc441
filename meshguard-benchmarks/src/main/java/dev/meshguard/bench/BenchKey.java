package dev.meshguard.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/** A new signing key (RS256 or ES256), its public JWKS, and tokens signed with JCA. */
final class BenchKey {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final String alg;
  private final String kid;
  private final PrivateKey signingKey;
  private final String jwk;

  private BenchKey(String alg, String kid, PrivateKey signingKey, String jwk) {
    this.alg = alg;
    this.kid = kid;
    this.signingKey = signingKey;
    this.jwk = jwk;
  }

  /** A new key for {@code alg}: `RS256` (RSA 2048) or `ES256` (P-256). */
  static BenchKey create(String alg) throws Exception {
    if (alg.equals("RS256")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair pair = g.generateKeyPair();
      RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
      return new BenchKey(
          alg,
          "bench-rsa",
          pair.getPrivate(),
          "{\"kty\":\"RSA\",\"kid\":\"bench-rsa\",\"alg\":\"RS256\",\"n\":\""
              + unsigned(pub.getModulus(), 256)
              + "\",\"e\":\""
              + unsigned(pub.getPublicExponent(), 3)
              + "\"}");
    }
    if (alg.equals("ES256")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = g.generateKeyPair();
      ECPublicKey pub = (ECPublicKey) pair.getPublic();
      return new BenchKey(
          alg,
          "bench-ec",
          pair.getPrivate(),
          "{\"kty\":\"EC\",\"kid\":\"bench-ec\",\"alg\":\"ES256\",\"crv\":\"P-256\",\"x\":\""
              + unsigned(pub.getW().getAffineX(), 32)
              + "\",\"y\":\""
              + unsigned(pub.getW().getAffineY(), 32)
              + "\"}");
    }
    throw new IllegalArgumentException(alg);
  }

  /** The public key as a JWKS document. */
  String jwks() {
    return "{\"keys\":[" + jwk + "]}";
  }

  /** A token of {@code issuer} for {@code subject} with a distinct `jti`, valid for a day. */
  String token(String issuer, String subject) throws Exception {
    long exp = System.currentTimeMillis() / 1000 + 86_400;
    String header = "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
    String payload =
        "{\"iss\":\""
            + issuer
            + "\",\"sub\":\""
            + subject
            + "\",\"exp\":"
            + exp
            + ",\"jti\":\""
            + subject
            + "-"
            + System.nanoTime()
            + "\"}";
    String input =
        B64.encodeToString(header.getBytes(UTF_8))
            + "."
            + B64.encodeToString(payload.getBytes(UTF_8));
    Signature signer =
        Signature.getInstance(
            alg.equals("RS256") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
    signer.initSign(signingKey);
    signer.update(input.getBytes(UTF_8));
    return input + "." + B64.encodeToString(signer.sign());
  }

  /** Big-endian unsigned bytes, left-padded to {@code length} (the exponent is not padded). */
  private static String unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > length) {
      bytes = Arrays.copyOfRange(bytes, bytes.length - length, bytes.length);
    }
    if (bytes.length < length && length != 3) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return B64.encodeToString(bytes);
  }
}
