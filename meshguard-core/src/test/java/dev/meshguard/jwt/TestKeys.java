package dev.meshguard.jwt;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys generated once per test run for every JWT algorithm, their JWKs (written by Nimbus, an
 * independent implementation) and token signing by plain JCA.
 */
final class TestKeys {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The 13 algorithms Envoy implements. */
  enum Alg {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    HS256,
    HS384,
    HS512,
    EdDSA;

    String kty() {
      return switch (name().substring(0, 2)) {
        case "RS", "PS" -> "RSA";
        case "ES" -> "EC";
        case "HS" -> "oct";
        default -> "OKP";
      };
    }

    int bits() {
      return this == EdDSA ? 0 : Integer.parseInt(name().substring(2));
    }

    String curve() {
      return switch (this) {
        case ES256 -> "P-256";
        case ES384 -> "P-384";
        case ES512 -> "P-521";
        case EdDSA -> "Ed25519";
        default -> null;
      };
    }
  }

  /** One generated key: a key pair, or an HMAC secret. */
  static final class TestKey {
    final String kty;
    final String crv;
    final KeyPair pair;
    final byte[] secret;

    private TestKey(String kty, String crv, KeyPair pair, byte[] secret) {
      this.kty = kty;
      this.crv = crv;
      this.pair = pair;
      this.secret = secret;
    }

    /** The public JWK (the secret for oct keys); {@code kid}/{@code alg} omitted when null. */
    String jwk(String kid, String alg) {
      JWSAlgorithm jwsAlg = alg == null ? null : JWSAlgorithm.parse(alg);
      return switch (kty) {
        case "RSA" ->
            new RSAKey.Builder((RSAPublicKey) pair.getPublic())
                .keyID(kid)
                .algorithm(jwsAlg)
                .build()
                .toJSONString();
        case "EC" ->
            new ECKey.Builder(Curve.parse(crv), (ECPublicKey) pair.getPublic())
                .keyID(kid)
                .algorithm(jwsAlg)
                .build()
                .toJSONString();
        case "oct" ->
            new OctetSequenceKey.Builder(secret)
                .keyID(kid)
                .algorithm(jwsAlg)
                .build()
                .toJSONString();
        default ->
            new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(rawEd25519()))
                .keyID(kid)
                .algorithm(jwsAlg)
                .build()
                .toJSONString();
      };
    }

    /** The 32 key bytes at the end of the X.509 encoding of an Ed25519 public key. */
    byte[] rawEd25519() {
      byte[] encoded = pair.getPublic().getEncoded();
      return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    /** Signs as a JWS signer would: ECDSA as raw r||s, PSS with a salt as long as the hash. */
    byte[] sign(Alg alg, byte[] data) {
      return alg.name().startsWith("PS")
          ? signPss(alg, alg.bits() / 8, data)
          : signPlain(alg, data);
    }

    byte[] signPss(Alg alg, int saltLength, byte[] data) {
      try {
        Signature signer = Signature.getInstance("RSASSA-PSS");
        String hash = "SHA-" + alg.bits();
        signer.setParameter(
            new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength, 1));
        signer.initSign(pair.getPrivate());
        signer.update(data);
        return signer.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private byte[] signPlain(Alg alg, byte[] data) {
      try {
        if (alg.kty().equals("oct")) {
          Mac mac = Mac.getInstance("HmacSHA" + alg.bits());
          mac.init(new SecretKeySpec(secret, "HMAC"));
          return mac.doFinal(data);
        }
        String name =
            switch (alg.kty()) {
              case "RSA" -> "SHA" + alg.bits() + "withRSA";
              case "EC" -> "SHA" + alg.bits() + "withECDSAinP1363Format";
              default -> "Ed25519";
            };
        Signature signer = Signature.getInstance(name);
        signer.initSign(pair.getPrivate());
        signer.update(data);
        return signer.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The keys tokens are signed with, per algorithm (RS* and PS* share one RSA key). */
  static final Map<Alg, TestKey> SIGNING = generate();

  /** Different keys of the same types, for "wrong key" cases. */
  static final Map<Alg, TestKey> OTHER = generate();

  private TestKeys() {}

  private static Map<Alg, TestKey> generate() {
    Map<Alg, TestKey> keys = new EnumMap<>(Alg.class);
    TestKey rsa = new TestKey("RSA", null, keyPair("RSA", null), null);
    for (Alg alg : Alg.values()) {
      TestKey key =
          switch (alg.kty()) {
            case "RSA" -> rsa;
            case "EC" ->
                new TestKey(
                    "EC",
                    alg.curve(),
                    keyPair("EC", "secp" + (alg.bits() == 512 ? 521 : alg.bits()) + "r1"),
                    null);
            case "oct" -> new TestKey("oct", null, null, randomBytes(alg.bits() / 8));
            default -> new TestKey("OKP", "Ed25519", keyPair("Ed25519", null), null);
          };
      keys.put(alg, key);
    }
    return keys;
  }

  private static KeyPair keyPair(String algorithm, String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (curve != null) {
        generator.initialize(new ECGenParameterSpec(curve));
      } else if (algorithm.equals("RSA")) {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** {@code {"keys":[...]}} of the given JWK strings. */
  static String jwks(String... jwks) {
    return "{\"keys\":[" + String.join(",", jwks) + "]}";
  }

  static String jwks(List<String> jwks) {
    return jwks(jwks.toArray(String[]::new));
  }

  /** Base64url without padding of UTF-8 text. */
  static String b64(String text) {
    return b64(text.getBytes(UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** JSON of a map (insertion order kept by the callers' maps). */
  static String json(Map<String, ?> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A header with this alg and kid (kid omitted when null). */
  static String header(String alg, String kid) {
    return kid == null
        ? "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}"
        : "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
  }

  /** A signed compact token. */
  static String token(Alg alg, TestKey key, String headerJson, String payloadJson) {
    String input = b64(headerJson) + "." + b64(payloadJson);
    return input + "." + b64(key.sign(alg, input.getBytes(UTF_8)));
  }

  /** A token with the given (unsigned) segments and a signature over them. */
  static String signedSegments(Alg alg, TestKey key, String headerSegment, String payloadSegment) {
    String input = headerSegment + "." + payloadSegment;
    return input + "." + b64(key.sign(alg, input.getBytes(UTF_8)));
  }
}
