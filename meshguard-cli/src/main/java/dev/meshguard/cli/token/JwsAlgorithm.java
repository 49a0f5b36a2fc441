package dev.meshguard.cli.token;

import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The 13 JWS algorithms Envoy verifies, with the JCA names that sign them. */
public enum JwsAlgorithm {
  RS256(Family.RSA, 256),
  RS384(Family.RSA, 384),
  RS512(Family.RSA, 512),
  PS256(Family.RSA_PSS, 256),
  PS384(Family.RSA_PSS, 384),
  PS512(Family.RSA_PSS, 512),
  ES256(Family.EC, 256),
  ES384(Family.EC, 384),
  ES512(Family.EC, 512),
  HS256(Family.HMAC, 256),
  HS384(Family.HMAC, 384),
  HS512(Family.HMAC, 512),
  EdDSA(Family.EDDSA, 0);

  /** What kind of key an algorithm needs. */
  public enum Family {
    RSA,
    RSA_PSS,
    EC,
    HMAC,
    EDDSA
  }

  private final Family family;
  private final int bits;

  JwsAlgorithm(Family family, int bits) {
    this.family = family;
    this.bits = bits;
  }

  public Family family() {
    return family;
  }

  /** True for the algorithms whose verification key can be published (all but HS*). */
  public boolean isPublicKey() {
    return family != Family.HMAC;
  }

  /** The JCA {@link java.security.Signature} name (null for HMAC, see {@link #macName()}). */
  String signatureName() {
    return switch (family) {
      case RSA -> "SHA" + bits + "withRSA";
      case RSA_PSS -> "RSASSA-PSS";
      // JWS wants R || S, not DER: the JDK's P1363 variant writes exactly that.
      case EC -> "SHA" + bits + "withECDSAinP1363Format";
      case EDDSA -> "Ed25519";
      case HMAC -> null;
    };
  }

  /** RFC 7518 section 3.5: MGF1 with the same hash, salt as long as the hash. */
  PSSParameterSpec pssParameters() {
    String digest = "SHA-" + bits;
    MGF1ParameterSpec mgf1 =
        switch (bits) {
          case 384 -> MGF1ParameterSpec.SHA384;
          case 512 -> MGF1ParameterSpec.SHA512;
          default -> MGF1ParameterSpec.SHA256;
        };
    return new PSSParameterSpec(digest, "MGF1", mgf1, bits / 8, 1);
  }

  String macName() {
    return "HmacSHA" + bits;
  }

  /** An HS secret as long as the hash (RFC 7518 section 3.2's minimum). */
  int secretBytes() {
    return bits / 8;
  }

  /** The JWK `crv` of an ES algorithm (`P-256`, `P-384`, `P-521`), `Ed25519`, else null. */
  String curve() {
    return switch (this) {
      case ES256 -> "P-256";
      case ES384 -> "P-384";
      case ES512 -> "P-521";
      case EdDSA -> "Ed25519";
      default -> null;
    };
  }

  /** The JCA name of an ES algorithm's curve. */
  String jcaCurve() {
    return switch (this) {
      case ES256 -> "secp256r1";
      case ES384 -> "secp384r1";
      case ES512 -> "secp521r1";
      default -> null;
    };
  }

  /** Reads `RS256`, `es256`, `eddsa`...; the message lists the 13 names. */
  public static JwsAlgorithm parse(String name) {
    for (JwsAlgorithm a : values()) {
      if (a.name().equalsIgnoreCase(name.trim())) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown algorithm `" + name + "`; one of " + names() + " (as Envoy supports)");
  }

  static String names() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** The ES algorithm for a `crv`, or null. */
  static JwsAlgorithm forCurve(String crv) {
    return switch (crv == null ? "" : crv.toUpperCase(Locale.ROOT)) {
      case "P-256" -> ES256;
      case "P-384" -> ES384;
      case "P-521" -> ES512;
      default -> null;
    };
  }
}
