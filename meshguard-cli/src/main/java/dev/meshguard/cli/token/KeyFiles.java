package dev.meshguard.cli.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.text.ParseException;
import java.util.List;

/**
 * Reads the key `token sign --key` and test files name: PEM, a JWK, or a JWKS with one private key.
 */
public final class KeyFiles {
  private KeyFiles() {}

  /**
   * The signing key in {@code file}.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when it holds no usable private key (the message says why)
   */
  public static SigningKey read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** The signing key in a PEM, JWK or JWKS text. */
  public static SigningKey parse(String text) {
    if (PemKeys.looksLikePem(text)) {
      return SigningKey.of(PemKeys.read(text), null, null);
    }
    String trimmed = text.strip();
    if (!trimmed.startsWith("{")) {
      throw new IllegalArgumentException("not a PEM private key, a JWK or a JWKS");
    }
    JWK jwk;
    try {
      if (trimmed.contains("\"keys\"")) {
        jwk = onePrivateKey(JWKSet.parse(trimmed).getKeys());
      } else {
        jwk = JWK.parse(trimmed);
      }
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a valid JWK or JWKS: " + e.getMessage(), e);
    }
    return fromJwk(jwk);
  }

  private static JWK onePrivateKey(List<JWK> keys) {
    List<JWK> usable = keys.stream().filter(JWK::isPrivate).toList();
    if (usable.size() != 1) {
      throw new IllegalArgumentException(
          "the JWKS holds "
              + usable.size()
              + " private keys (or HMAC secrets); --key needs exactly one");
    }
    return usable.get(0);
  }

  static SigningKey fromJwk(JWK jwk) {
    if (!jwk.isPrivate()) {
      throw new IllegalArgumentException(
          "the JWK `" + jwk.getKeyID() + "` is a public key; signing needs the private one");
    }
    JwsAlgorithm alg =
        jwk.getAlgorithm() == null ? null : JwsAlgorithm.parse(jwk.getAlgorithm().getName());
    String kid = jwk.getKeyID();
    try {
      if (jwk instanceof RSAKey rsa) {
        return SigningKey.of(rsa.toRSAPrivateKey(), kid, alg);
      }
      if (jwk instanceof ECKey ec) {
        return SigningKey.of(ec.toECPrivateKey(), kid, alg);
      }
      if (jwk instanceof OctetSequenceKey oct) {
        return SigningKey.secret(oct.toByteArray(), kid, alg);
      }
      if (jwk instanceof OctetKeyPair okp) {
        if (!Curve.Ed25519.equals(okp.getCurve())) {
          throw new IllegalArgumentException(
              "OKP curve `" + okp.getCurve() + "` is not supported (Ed25519 is)");
        }
        PrivateKey key =
            KeyFactory.getInstance("Ed25519")
                .generatePrivate(
                    new EdECPrivateKeySpec(NamedParameterSpec.ED25519, okp.getDecodedD()));
        return SigningKey.of(key, kid, alg);
      }
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalArgumentException("the JWK is not a usable key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("unsupported JWK type `" + jwk.getKeyType() + "`");
  }
}
