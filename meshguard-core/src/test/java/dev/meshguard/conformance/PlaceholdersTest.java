package dev.meshguard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The corpus' token minting checked against Nimbus (and the JDK for Ed25519), independently of
 * meshguard's verifier: a case that fails because meshguard rejects a token is then meshguard's
 * fault, not the corpus'.
 */
class PlaceholdersTest {

  @ParameterizedTest
  @CsvSource({
    "rsa-a, RS256",
    "rsa-a, RS384",
    "rsa-a, RS512",
    "rsa-a, PS256",
    "rsa-a, PS384",
    "rsa-a, PS512",
    "ec256-a, ES256",
    "ec384-a, ES384",
    "ec521-a, ES512",
    "hmac-a, HS256",
    "hmac-a, HS384",
    "hmac-a, HS512",
    "ed25519-a, EdDSA"
  })
  void mintedTokensVerifyWithTheirPublishedKey(String key, String alg) throws Exception {
    String token =
        Placeholders.resolve(
            "${token:" + key + ",alg=" + alg + ":{\"iss\":\"i\",\"exp\":\"+60\"}}");
    JWSObject jws = JWSObject.parse(token);
    assertThat(jws.getHeader().getAlgorithm().getName()).isEqualTo(alg);
    assertThat(jws.getHeader().getKeyID()).isEqualTo(key);
    assertThat(jws.getPayload().toJSONObject())
        .containsEntry("iss", "i")
        .containsEntry("exp", Placeholders.BASE_TIME + 60);
    JWK jwk = JWKSet.parse(Placeholders.resolve("${jwks:" + key + "}")).getKeyByKeyId(key);
    assertThat(jwk).isNotNull();
    assertThat(jwk.isPrivate()).isEqualTo(key.startsWith("hmac"));
    assertThat(verify(jws, jwk)).isTrue();

    String tampered =
        Placeholders.resolve("${token:" + key + ",alg=" + alg + ",tamper:{\"iss\":\"i\"}}");
    assertThat(verify(JWSObject.parse(tampered), jwk)).isFalse();
  }

  @Test
  void keyConfusionTokenIsAnHmacOverThePublicPem() throws Exception {
    String token = Placeholders.resolve("${token:rsa-a,hmacpem:{\"iss\":\"i\"}}");
    JWSObject jws = JWSObject.parse(token);
    assertThat(jws.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
    byte[] pem = TestKeys.key("rsa-a").publicPem().getBytes(StandardCharsets.US_ASCII);
    assertThat(jws.verify(new MACVerifier(pem))).isTrue();
  }

  @Test
  void unsignedTokenHasAnEmptySignature() {
    String token = Placeholders.resolve("${token:none:{\"iss\":\"i\"}}");
    assertThat(token).endsWith(".");
    assertThat(token.split("\\.", -1)).hasSize(3);
    assertThat(new String(Base64URL.from(token.split("\\.")[0]).decode(), StandardCharsets.UTF_8))
        .isEqualTo("{\"alg\":\"none\"}");
  }

  @Test
  void payloadMatchesTheTokensPayloadSegment() {
    String claims = "{\"iss\":\"i\",\"n\":{\"a\":[1,2.5]},\"exp\":\"+10\"}";
    String token = Placeholders.resolve("${token:rsa-a:" + claims + "}");
    assertThat(token.split("\\.")[1]).isEqualTo(Placeholders.resolve("${payload:" + claims + "}"));
  }

  @Test
  void helpersNest() {
    assertThat(Placeholders.resolve("a${b64:${repeat:3:[}}b"))
        .isEqualTo("a" + Base64URL.encode("[[[") + "b");
    assertThat(Placeholders.resolve("${time:-5}"))
        .isEqualTo(Long.toString(Placeholders.BASE_TIME - 5));
    assertThat(Placeholders.resolve("${b64std:{\"a\":1}}")).isEqualTo("eyJhIjoxfQ==");
  }

  @Test
  void jwksOptions() throws Exception {
    JWKSet set =
        JWKSet.parse(Placeholders.resolve("${jwks:ec256-a/alg=ES256,rsa-a/nokid,rsa-b/kid=x}"));
    assertThat(set.getKeys()).hasSize(3);
    assertThat(set.getKeys().get(0).getAlgorithm().getName()).isEqualTo("ES256");
    assertThat(set.getKeys().get(1).getKeyID()).isNull();
    assertThat(set.getKeys().get(2).getKeyID()).isEqualTo("x");
  }

  @Test
  void unknownPlaceholdersFail() {
    assertThatThrownBy(() -> Placeholders.resolve("${nope}"))
        .hasMessageContaining("unknown placeholder");
    assertThatThrownBy(() -> Placeholders.resolve("${token:rsa-a,bad:{}}"))
        .hasMessageContaining("bad");
    assertThatThrownBy(() -> Placeholders.resolve("${token:rsa-a:{}"))
        .hasMessageContaining("unterminated");
  }

  private static boolean verify(JWSObject jws, JWK jwk) throws Exception {
    if (jwk instanceof OctetKeyPair okp) {
      byte[] x = okp.getX().decode();
      byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
      byte[] spki = new byte[prefix.length + x.length];
      System.arraycopy(prefix, 0, spki, 0, prefix.length);
      System.arraycopy(x, 0, spki, prefix.length, x.length);
      PublicKey pub =
          KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(pub);
      s.update(jws.getSigningInput());
      return s.verify(jws.getSignature().decode());
    }
    JWSVerifier verifier;
    if (jwk instanceof RSAKey rsa) {
      verifier = new RSASSAVerifier(rsa);
    } else if (jwk instanceof ECKey ec) {
      verifier = new ECDSAVerifier(ec);
    } else {
      verifier = new MACVerifier((OctetSequenceKey) jwk);
    }
    return jws.verify(verifier);
  }
}
