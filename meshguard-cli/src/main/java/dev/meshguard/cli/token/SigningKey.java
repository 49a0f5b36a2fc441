package dev.meshguard.cli.token;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A key that signs tokens: a JCA private key (RSA, EC, Ed25519) or an HMAC secret, with the `kid`
 * and `alg` its file named, if any. Signing is JCA's; this class only picks the algorithm.
 */
public final class SigningKey {
  /** The kinds of key, as JWK `kty` (and `crv` for Ed25519) name them. */
  public enum Type {
    RSA,
    EC,
    ED25519,
    SECRET
  }

  private final Type type;
  private final PrivateKey privateKey;
  private final byte[] secret;
  private final String kid;
  private final JwsAlgorithm alg;

  private SigningKey(
      Type type, PrivateKey privateKey, byte[] secret, String kid, JwsAlgorithm alg) {
    this.type = type;
    this.privateKey = privateKey;
    this.secret = secret == null ? null : secret.clone();
    this.kid = kid;
    this.alg = alg;
  }

  /** A private key; its type follows from the JCA key. */
  static SigningKey of(PrivateKey key, String kid, JwsAlgorithm alg) {
    Objects.requireNonNull(key, "key");
    Type type;
    if (key instanceof RSAPrivateKey) {
      type = Type.RSA;
    } else if (key instanceof ECPrivateKey) {
      type = Type.EC;
    } else if (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA")) {
      type = Type.ED25519;
    } else {
      throw new IllegalArgumentException(
          "unsupported key type `" + key.getAlgorithm() + "`: RSA, EC or Ed25519 expected");
    }
    return new SigningKey(type, key, null, kid, alg);
  }

  /** An HMAC secret. */
  public static SigningKey secret(byte[] secret, String kid, JwsAlgorithm alg) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("the HMAC secret is empty");
    }
    return new SigningKey(Type.SECRET, null, secret, kid, alg);
  }

  public Type type() {
    return type;
  }

  /** The `kid` the key file named, or null. */
  public String kid() {
    return kid;
  }

  /**
   * The algorithm to sign with: {@code requested} when given (it must suit the key), else the key's
   * own `alg`, else the usual one for its type (RS256, the ES of its curve, EdDSA, HS256).
   */
  public JwsAlgorithm algorithm(JwsAlgorithm requested) {
    JwsAlgorithm chosen = requested != null ? requested : alg != null ? alg : defaultAlgorithm();
    String problem = mismatch(chosen);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return chosen;
  }

  private JwsAlgorithm defaultAlgorithm() {
    return switch (type) {
      case RSA -> JwsAlgorithm.RS256;
      case EC -> {
        JwsAlgorithm forCurve = ecAlgorithm();
        yield forCurve == null ? JwsAlgorithm.ES256 : forCurve;
      }
      case ED25519 -> JwsAlgorithm.EdDSA;
      case SECRET -> JwsAlgorithm.HS256;
    };
  }

  private JwsAlgorithm ecAlgorithm() {
    int bits = ((ECPrivateKey) privateKey).getParams().getCurve().getField().getFieldSize();
    return switch (bits) {
      case 256 -> JwsAlgorithm.ES256;
      case 384 -> JwsAlgorithm.ES384;
      case 521 -> JwsAlgorithm.ES512;
      default -> null;
    };
  }

  private String mismatch(JwsAlgorithm a) {
    boolean fits =
        switch (a.family()) {
          case RSA, RSA_PSS -> type == Type.RSA;
          case EC -> type == Type.EC && a == ecAlgorithm();
          case EDDSA -> type == Type.ED25519;
          case HMAC -> type == Type.SECRET;
        };
    if (fits) {
      return null;
    }
    String key =
        switch (type) {
          case RSA -> "an RSA key";
          case EC -> {
            JwsAlgorithm curve = ecAlgorithm();
            yield "an EC key on " + (curve == null ? "an unsupported curve" : curve.curve());
          }
          case ED25519 -> "an Ed25519 key";
          case SECRET -> "an HMAC secret";
        };
    return "cannot sign " + a + " with " + key + expected();
  }

  private String expected() {
    return switch (type) {
      case RSA -> " (RS256, RS384, RS512, PS256, PS384 or PS512)";
      case EC -> ecAlgorithm() == null ? "" : " (" + ecAlgorithm() + ")";
      case ED25519 -> " (EdDSA)";
      case SECRET -> " (HS256, HS384 or HS512)";
    };
  }

  /** The JWS signature of {@code signingInput} with {@code a}, which must suit this key. */
  public byte[] sign(JwsAlgorithm a, byte[] signingInput) throws GeneralSecurityException {
    String problem = mismatch(a);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (type == Type.SECRET) {
      Mac mac = Mac.getInstance(a.macName());
      mac.init(new SecretKeySpec(secret, a.macName()));
      return mac.doFinal(signingInput);
    }
    Signature s = Signature.getInstance(a.signatureName());
    if (a.family() == JwsAlgorithm.Family.RSA_PSS) {
      s.setParameter(a.pssParameters());
    }
    s.initSign(privateKey);
    s.update(signingInput);
    return s.sign();
  }

  @Override
  public String toString() {
    // never the key material
    return "SigningKey{type=" + type + ", kid=" + kid + ", alg=" + alg + "}";
  }
}
