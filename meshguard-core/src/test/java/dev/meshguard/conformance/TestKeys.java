package dev.meshguard.conformance;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys generated at test time, by name, so that no private key is committed. The name's prefix says
 * the kind: `rsa-a` (RSA 2048, RS* and PS*), `ec256-a`/`ec384-a`/`ec521-a` (P-256/384/521),
 * `ed25519-a` (EdDSA), `hmac-a` (512-bit secret, HS*). The same name gives the same key for the
 * whole test run, in every runner.
 */
public final class TestKeys {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<String, TestKey> KEYS = new ConcurrentHashMap<>();

  private TestKeys() {}

  public static TestKey key(String name) {
    return KEYS.computeIfAbsent(name, TestKeys::generate);
  }

  /** The kinds of key the corpus can ask for. */
  public enum Kind {
    RSA("RS256"),
    EC256("ES256"),
    EC384("ES384"),
    EC521("ES512"),
    ED25519("EdDSA"),
    HMAC("HS256");

    private final String defaultAlg;

    Kind(String defaultAlg) {
      this.defaultAlg = defaultAlg;
    }

    public String defaultAlg() {
      return defaultAlg;
    }
  }

  private static TestKey generate(String name) {
    int dash = name.indexOf('-');
    if (dash <= 0 || dash == name.length() - 1) {
      throw new IllegalArgumentException(
          "key name `" + name + "` must be <kind>-<label>, e.g. rsa-a, ec256-b, hmac-a");
    }
    Kind kind;
    try {
      kind = Kind.valueOf(name.substring(0, dash).toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "key name `" + name + "`: unknown kind (rsa, ec256, ec384, ec521, ed25519, hmac)", e);
    }
    try {
      return switch (kind) {
        case RSA -> {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048, RANDOM);
          yield new TestKey(name, kind, g.generateKeyPair(), null);
        }
        case EC256 -> new TestKey(name, kind, ec("secp256r1"), null);
        case EC384 -> new TestKey(name, kind, ec("secp384r1"), null);
        case EC521 -> new TestKey(name, kind, ec("secp521r1"), null);
        case ED25519 ->
            new TestKey(
                name, kind, KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), null);
        case HMAC -> {
          byte[] secret = new byte[64];
          RANDOM.nextBytes(secret);
          yield new TestKey(name, kind, null, secret);
        }
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate key `" + name + "`", e);
    }
  }

  private static KeyPair ec(String curve) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve), RANDOM);
    return g.generateKeyPair();
  }

  /** A generated key: an asymmetric pair, or an HMAC secret. */
  public static final class TestKey {
    private final String name;
    private final Kind kind;
    private final KeyPair pair;
    private final byte[] secret;

    TestKey(String name, Kind kind, KeyPair pair, byte[] secret) {
      this.name = name;
      this.kind = kind;
      this.pair = pair;
      this.secret = secret == null ? null : secret.clone();
    }

    public String name() {
      return name;
    }

    public Kind kind() {
      return kind;
    }

    /**
     * The public JWK (for HMAC, the secret itself, as a JWKS must carry it), with the given `kid`
     * (null for none) and `alg` (null for none).
     */
    public JWK publicJwk(String kid, String alg) {
      JWSAlgorithm algorithm = alg == null ? null : JWSAlgorithm.parse(alg);
      return switch (kind) {
        case RSA ->
            new RSAKey.Builder((RSAPublicKey) pair.getPublic())
                .keyID(kid)
                .algorithm(algorithm)
                .build();
        case EC256, EC384, EC521 -> {
          ECPublicKey pub = (ECPublicKey) pair.getPublic();
          yield new ECKey.Builder(Curve.forECParameterSpec(pub.getParams()), pub)
              .keyID(kid)
              .algorithm(algorithm)
              .build();
        }
        case ED25519 ->
            new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(rawEd25519PublicKey()))
                .keyID(kid)
                .algorithm(algorithm)
                .build();
        case HMAC -> new OctetSequenceKey.Builder(secret).keyID(kid).algorithm(algorithm).build();
      };
    }

    /** The RSA public key as PEM text (the secret of the classic RS256→HS256 confusion). */
    public String publicPem() {
      if (kind != Kind.RSA) {
        throw new IllegalArgumentException("`" + name + "` is not an RSA key");
      }
      String body =
          Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(pair.getPublic().getEncoded());
      return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** Signs a JWS signing input with {@code alg}; the result is the JWS signature bytes. */
    public byte[] sign(String alg, byte[] signingInput) {
      try {
        if (kind == Kind.ED25519) {
          if (!alg.equals("EdDSA")) {
            throw new IllegalArgumentException("`" + name + "` signs only EdDSA, not " + alg);
          }
          Signature s = Signature.getInstance("Ed25519");
          s.initSign(pair.getPrivate());
          s.update(signingInput);
          return s.sign();
        }
        JWSSigner signer =
            switch (kind) {
              case RSA -> new RSASSASigner(pair.getPrivate());
              case EC256, EC384, EC521 -> new ECDSASigner((ECPrivateKey) pair.getPrivate());
              case HMAC -> new MACSigner(secret);
              case ED25519 -> throw new AssertionError();
            };
        return signer.sign(new JWSHeader(JWSAlgorithm.parse(alg)), signingInput).decode();
      } catch (JOSEException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "`" + name + "` cannot sign " + alg + ": " + e.getMessage(), e);
      }
    }

    private byte[] rawEd25519PublicKey() {
      // X.509 SubjectPublicKeyInfo for Ed25519 is a fixed 12-byte prefix and the 32-byte key.
      byte[] encoded = pair.getPublic().getEncoded();
      return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }
  }

  /** Signs with an HMAC secret given as text (for the key-confusion token). */
  public static byte[] hmac(String alg, byte[] secret, byte[] signingInput) {
    try {
      return new MACSigner(secret)
          .sign(new JWSHeader(JWSAlgorithm.parse(alg)), signingInput)
          .decode();
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign " + alg + ": " + e.getMessage(), e);
    }
  }
}
