package dev.meshguard.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.utils.ECChecks;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns one JWK (or Google's X.509 certificate map) into a {@link Jwk}, with the checks, order and
 * statuses of Envoy's {@code jwks.cc}. Every failure is a {@link JwtException}.
 */
final class JwkParser {
  private static final String X509_PREFIX = "-----BEGIN CERTIFICATE-----\n";
  private static final String X509_SUFFIX = "\n-----END CERTIFICATE-----\n";
  private static final BigInteger E_3 = BigInteger.valueOf(3);
  private static final BigInteger E_65537 = BigInteger.valueOf(65537);
  private static final int MIN_RSA_MODULUS_BYTES = 64;

  /** DER of an Ed25519 SubjectPublicKeyInfo up to the 32 key bytes (RFC 8410). */
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private static final Map<String, ECParameterSpec> CURVES =
      Map.of(
          "P-256", curve("secp256r1"),
          "P-384", curve("secp384r1"),
          "P-521", curve("secp521r1"));

  private JwkParser() {}

  /** Envoy's {@code extractJwk}. */
  static Jwk parse(ObjectNode jwk) throws JwtException {
    JsonNode ktyNode = jwk.get("kty");
    if (ktyNode == null) {
      throw new JwtException(JwtStatus.JWKS_MISSING_KTY);
    }
    if (!ktyNode.isTextual()) {
      throw new JwtException(JwtStatus.JWKS_BAD_KTY);
    }
    String kty = ktyNode.textValue();
    // Optional; Envoy ignores a `kid` or `alg` that is not a string, and empty means absent.
    String kid = ignoredUnlessString(jwk, "kid");
    String alg = ignoredUnlessString(jwk, "alg");
    return switch (kty) {
      case Jwk.EC -> ec(jwk, kid, alg);
      case Jwk.RSA -> rsa(jwk, kid, alg);
      case Jwk.OCT -> oct(jwk, kid, alg);
      case Jwk.OKP -> okp(jwk, kid, alg);
      default -> throw new JwtException(JwtStatus.JWKS_NOT_IMPLEMENTED_KTY);
    };
  }

  private static Jwk rsa(ObjectNode jwk, String kid, String alg) throws JwtException {
    if (alg != null && !alg.startsWith("RS") && !alg.startsWith("PS")) {
      throw new JwtException(JwtStatus.JWKS_RSA_KEY_BAD_ALG);
    }
    String n =
        requiredString(jwk, "n", JwtStatus.JWKS_RSA_KEY_MISSING_N, JwtStatus.JWKS_RSA_KEY_BAD_N);
    String e =
        requiredString(jwk, "e", JwtStatus.JWKS_RSA_KEY_MISSING_E, JwtStatus.JWKS_RSA_KEY_BAD_E);
    BigInteger modulus = unsignedBase64Url(n);
    BigInteger exponent = unsignedBase64Url(e);
    if (modulus == null || exponent == null) {
      throw new JwtException(JwtStatus.JWKS_RSA_PARSE_ERROR);
    }
    // Envoy accepts only e = 3 or 65537, then BoringSSL's public-key check: odd modulus of more
    // than 33 and at most 16384 bits. The JDK's providers add a 512-bit minimum (a documented
    // difference); ACCP has none, so it is checked here to give the same answer with either.
    int bits = modulus.bitLength();
    if (!(exponent.equals(E_3) || exponent.equals(E_65537))
        || !modulus.testBit(0)
        || tooShortForTheJdk(bits)
        || bits > 16 * 1024) {
      throw new JwtException(JwtStatus.JWKS_RSA_PARSE_ERROR);
    }
    try {
      PublicKey key =
          KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
      return new Jwk(kid, alg, Jwk.RSA, null, key);
    } catch (GeneralSecurityException ex) {
      throw new JwtException(JwtStatus.JWKS_RSA_PARSE_ERROR);
    }
  }

  private static Jwk ec(ObjectNode jwk, String kid, String alg) throws JwtException {
    if (alg != null && !alg.startsWith("ES")) {
      throw new JwtException(JwtStatus.JWKS_EC_KEY_BAD_ALG);
    }
    JsonNode crvNode = jwk.get("crv");
    if (crvNode != null && !crvNode.isTextual()) {
      throw new JwtException(JwtStatus.JWKS_EC_KEY_BAD_CRV);
    }
    String crv = crvNode == null ? "" : crvNode.textValue();
    if (alg != null && !crv.isEmpty()) {
      boolean compatible =
          (alg.equals("ES256") && crv.equals("P-256"))
              || (alg.equals("ES384") && crv.equals("P-384"))
              || (alg.equals("ES512") && crv.equals("P-521"));
      if (!compatible) {
        throw new JwtException(JwtStatus.JWKS_EC_KEY_ALG_NOT_COMPATIBLE_WITH_CRV);
      }
    }
    String curve;
    if (alg == null && crv.isEmpty()) {
      curve = "P-256";
    } else if ("ES256".equals(alg) || crv.equals("P-256")) {
      curve = "P-256";
    } else if ("ES384".equals(alg) || crv.equals("P-384")) {
      curve = "P-384";
    } else if ("ES512".equals(alg) || crv.equals("P-521")) {
      curve = "P-521";
    } else {
      throw new JwtException(JwtStatus.JWKS_EC_KEY_ALG_OR_CRV_UNSUPPORTED);
    }
    String x =
        requiredString(jwk, "x", JwtStatus.JWKS_EC_KEY_MISSING_X, JwtStatus.JWKS_EC_KEY_BAD_X);
    String y =
        requiredString(jwk, "y", JwtStatus.JWKS_EC_KEY_MISSING_Y, JwtStatus.JWKS_EC_KEY_BAD_Y);
    BigInteger xValue = unsignedBase64Url(x);
    BigInteger yValue = unsignedBase64Url(y);
    if (xValue == null || yValue == null) {
      throw new JwtException(JwtStatus.JWKS_EC_X_OR_Y_BAD_BASE64);
    }
    // Like BoringSSL's EC_KEY_set_public_key_affine_coordinates: any byte length (leading zeros
    // are fine, so a 65- or 66-byte P-521 coordinate both work), but each coordinate must be a
    // field element and the point must be on the curve.
    ECParameterSpec params = CURVES.get(curve);
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    if (xValue.compareTo(p) >= 0
        || yValue.compareTo(p) >= 0
        || !ECChecks.isPointOnCurve(xValue, yValue, params)) {
      throw new JwtException(JwtStatus.JWKS_EC_PARSE_ERROR);
    }
    try {
      PublicKey key =
          KeyFactory.getInstance("EC")
              .generatePublic(new ECPublicKeySpec(new ECPoint(xValue, yValue), params));
      return new Jwk(kid, alg, Jwk.EC, curve, key);
    } catch (GeneralSecurityException ex) {
      throw new JwtException(JwtStatus.JWKS_EC_PARSE_ERROR);
    }
  }

  private static Jwk oct(ObjectNode jwk, String kid, String alg) throws JwtException {
    if (alg != null && !alg.equals("HS256") && !alg.equals("HS384") && !alg.equals("HS512")) {
      throw new JwtException(JwtStatus.JWKS_HMAC_KEY_BAD_ALG);
    }
    String k =
        requiredString(jwk, "k", JwtStatus.JWKS_HMAC_KEY_MISSING_K, JwtStatus.JWKS_HMAC_KEY_BAD_K);
    byte[] secret = Base64Url.decode(k);
    if (secret == null || secret.length == 0) {
      throw new JwtException(JwtStatus.JWKS_OCT_BAD_BASE64);
    }
    return new Jwk(kid, alg, Jwk.OCT, null, new SecretKeySpec(secret, "HMAC"));
  }

  private static Jwk okp(ObjectNode jwk, String kid, String alg) throws JwtException {
    if (alg != null && !alg.equals("EdDSA")) {
      throw new JwtException(JwtStatus.JWKS_OKP_KEY_BAD_ALG);
    }
    String crv =
        requiredString(
            jwk, "crv", JwtStatus.JWKS_OKP_KEY_MISSING_CRV, JwtStatus.JWKS_OKP_KEY_BAD_CRV);
    if (!crv.equals("Ed25519")) {
      throw new JwtException(JwtStatus.JWKS_OKP_KEY_CRV_UNSUPPORTED);
    }
    String x =
        requiredString(jwk, "x", JwtStatus.JWKS_OKP_KEY_MISSING_X, JwtStatus.JWKS_OKP_KEY_BAD_X);
    byte[] raw = Base64Url.decode(x);
    if (raw == null) {
      throw new JwtException(JwtStatus.JWKS_OKP_X_BAD_BASE64);
    }
    if (raw.length != 32) {
      throw new JwtException(JwtStatus.JWKS_OKP_X_WRONG_LENGTH);
    }
    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + raw.length];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
    PublicKey key;
    try {
      key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException ex) {
      // Envoy keeps any 32 bytes and lets verification fail; the JDK refuses some encodings
      // (such as y >= p) up front. Keep the key so key selection matches Envoy.
      key = null;
    }
    return new Jwk(kid, alg, Jwk.OKP, "Ed25519", key);
  }

  /**
   * Envoy's {@code shouldCheckX509}: a non-empty object without `keys` whose members all have a
   * non-empty name and a PEM certificate string value.
   */
  static boolean isX509Map(ObjectNode root) {
    if (root.isEmpty()) {
      return false;
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      JsonNode value = field.getValue();
      if (field.getKey().isEmpty() || !value.isTextual()) {
        return false;
      }
      String pem = value.textValue();
      if (!pem.startsWith(X509_PREFIX) || !pem.endsWith(X509_SUFFIX)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Envoy's {@code createFromX509}: every certificate must hold an RSA key, the first failure fails
   * the whole set. Envoy walks a protobuf map (unspecified order); this walks document order.
   */
  static List<Jwk> parseX509Map(ObjectNode root) throws JwtException {
    List<Jwk> keys = new ArrayList<>(root.size());
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      Certificate certificate;
      try {
        certificate =
            factory.generateCertificate(
                new ByteArrayInputStream(
                    field.getValue().textValue().getBytes(StandardCharsets.UTF_8)));
      } catch (CertificateException | RuntimeException e) {
        throw new JwtException(JwtStatus.JWKS_X509_PARSE_ERROR);
      }
      if (!(certificate.getPublicKey() instanceof RSAPublicKey key)) {
        throw new JwtException(JwtStatus.JWKS_X509_GET_PUBKEY_ERROR);
      }
      // With the JDK's RSA KeyFactory such a certificate does not even parse; ACCP's takes it.
      if (tooShortForTheJdk(key.getModulus().bitLength())) {
        throw new JwtException(JwtStatus.JWKS_X509_PARSE_ERROR);
      }
      keys.add(new Jwk(field.getKey(), null, Jwk.RSA, null, key));
    }
    return keys;
  }

  /**
   * The JDK's RSA minimum: 512 bits after rounding the modulus up to whole bytes, so 505 bits are
   * enough. (It also covers BoringSSL's "more than 33 bits".)
   */
  private static boolean tooShortForTheJdk(int modulusBits) {
    return (modulusBits + 7) / 8 < MIN_RSA_MODULUS_BYTES;
  }

  private static String ignoredUnlessString(ObjectNode jwk, String name) {
    JsonNode value = jwk.get(name);
    return value != null && value.isTextual() && !value.textValue().isEmpty()
        ? value.textValue()
        : null;
  }

  private static String requiredString(
      ObjectNode jwk, String name, JwtStatus missing, JwtStatus wrongType) throws JwtException {
    JsonNode value = jwk.get(name);
    if (value == null) {
      throw new JwtException(missing);
    }
    if (!value.isTextual()) {
      throw new JwtException(wrongType);
    }
    return value.textValue();
  }

  /** BoringSSL's {@code BN_bin2bn} of the decoded bytes: big-endian, unsigned, empty is zero. */
  private static BigInteger unsignedBase64Url(String text) {
    byte[] bytes = Base64Url.decode(text);
    return bytes == null ? null : new BigInteger(1, bytes);
  }

  private static ECParameterSpec curve(String name) {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(name));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks curve " + name, e);
    }
  }
}
