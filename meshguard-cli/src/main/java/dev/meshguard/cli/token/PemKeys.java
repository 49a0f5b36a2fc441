package dev.meshguard.cli.token;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Private keys in PEM: PKCS#8 (`PRIVATE KEY`, what `openssl genpkey` and `token keygen` write),
 * PKCS#1 (`RSA PRIVATE KEY`, Istio's sample `key.pem`) and SEC1 (`EC PRIVATE KEY`).
 */
final class PemKeys {
  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s:,-]*?)-----END \\1-----",
          Pattern.DOTALL);
  private static final Map<String, String> CURVES =
      Map.of(
          "1.2.840.10045.3.1.7", "secp256r1",
          "1.3.132.0.34", "secp384r1",
          "1.3.132.0.35", "secp521r1");

  private PemKeys() {}

  static boolean looksLikePem(String text) {
    return text.contains("-----BEGIN ");
  }

  /** The one private key of a PEM text (other blocks such as `EC PARAMETERS` are skipped). */
  static PrivateKey read(String text) {
    List<String> seen = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String label = m.group(1);
      seen.add(label);
      if (label.contains("ENCRYPTED") || m.group(2).contains("Proc-Type")) {
        throw new IllegalArgumentException(
            "encrypted private keys are not supported; decrypt it first, e.g."
                + " `openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem`");
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2).getBytes(StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PEM block `" + label + "` is not valid base64", e);
      }
      try {
        switch (label) {
          case "PRIVATE KEY":
            return pkcs8(der);
          case "RSA PRIVATE KEY":
            return pkcs1(der);
          case "EC PRIVATE KEY":
            return sec1(der);
          default:
            break;
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "PEM block `" + label + "`: not a usable key: " + e.getMessage(), e);
      }
    }
    if (seen.isEmpty()) {
      throw new IllegalArgumentException("no PEM block found");
    }
    throw new IllegalArgumentException(
        "no private key in the PEM blocks " + seen + " (a public key or certificate cannot sign)");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("PKCS#8 key is not RSA, EC or Ed25519", last);
  }

  /** RFC 8017 A.1.2: version, n, e, d, p, q, dp, dq, qinv. */
  private static PrivateKey pkcs1(byte[] der) throws GeneralSecurityException {
    List<Der.Element> f = Der.read(der).expect(Der.SEQUENCE).children();
    if (f.size() < 9) {
      throw new GeneralSecurityException("PKCS#1 key has " + f.size() + " fields, not 9");
    }
    BigInteger[] v = new BigInteger[9];
    for (int i = 0; i < 9; i++) {
      v[i] = f.get(i).integer();
    }
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new RSAPrivateCrtKeySpec(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]));
  }

  /** RFC 5915: version 1, the private scalar, [0] the named curve, [1] the public point. */
  private static PrivateKey sec1(byte[] der) throws GeneralSecurityException {
    List<Der.Element> f = Der.read(der).expect(Der.SEQUENCE).children();
    if (f.size() < 3) {
      throw new GeneralSecurityException("SEC1 key without its curve parameters");
    }
    BigInteger scalar = new BigInteger(1, f.get(1).expect(Der.OCTET_STRING).content());
    Der.Element parameters = null;
    for (Der.Element e : f.subList(2, f.size())) {
      if (e.tag() == 0xa0) {
        parameters = Der.read(e.content());
      }
    }
    if (parameters == null) {
      throw new GeneralSecurityException("SEC1 key without its curve parameters");
    }
    String oid = parameters.oid();
    String curve = CURVES.get(oid);
    if (curve == null) {
      throw new GeneralSecurityException("curve " + oid + " is not P-256, P-384 or P-521");
    }
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec(curve));
    ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
    return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(scalar, spec));
  }

  /** PKCS#8 PEM of a private key, as `openssl genpkey` writes it. */
  static String write(PrivateKey key) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  }
}
