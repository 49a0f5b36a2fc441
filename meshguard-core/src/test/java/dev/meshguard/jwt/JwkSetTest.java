package dev.meshguard.jwt;

import static dev.meshguard.jwt.TestKeys.SIGNING;
import static dev.meshguard.jwt.TestKeys.b64;
import static dev.meshguard.jwt.TestKeys.jwks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meshguard.jwt.TestKeys.Alg;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link JwkSet#parse}: Envoy's JWKS leniency, key checks and statuses. */
class JwkSetTest {
  private static final String RSA_N = rsaJwkMember("n");
  private static final String RSA_E = rsaJwkMember("e");
  private static final String RSA =
      "{\"kty\":\"RSA\",\"n\":\"" + RSA_N + "\",\"e\":\"" + RSA_E + "\"}";

  private static String rsaJwkMember(String name) {
    RSAPublicKey key = (RSAPublicKey) SIGNING.get(Alg.RS256).pair.getPublic();
    BigInteger value = name.equals("n") ? key.getModulus() : key.getPublicExponent();
    return b64(unsigned(value));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static JwtStatus statusOf(String text) {
    JwtException e = catchThrowableOfType(JwtException.class, () -> JwkSet.parse(text));
    return e == null ? JwtStatus.OK : e.status();
  }

  /** The status of a set with only this key: the key's own failure, or OK. */
  private static JwtStatus keyStatus(String jwk) {
    return statusOf(jwks(jwk));
  }

  @Test
  void parsesEveryKeyType() throws JwtException {
    JwkSet set =
        JwkSet.parse(
            jwks(
                SIGNING.get(Alg.RS256).jwk("r", "RS256"),
                SIGNING.get(Alg.ES384).jwk("e", null),
                SIGNING.get(Alg.HS512).jwk("h", "HS512"),
                SIGNING.get(Alg.EdDSA).jwk("o", "EdDSA")));

    assertThat(set.size()).isEqualTo(4);
    assertThat(set.keys())
        .extracting(Jwk::kid, Jwk::alg, Jwk::kty, Jwk::crv)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("r", "RS256", "RSA", null),
            org.assertj.core.groups.Tuple.tuple("e", null, "EC", "P-384"),
            org.assertj.core.groups.Tuple.tuple("h", "HS512", "oct", null),
            org.assertj.core.groups.Tuple.tuple("o", "EdDSA", "OKP", "Ed25519"));
    assertThat(set.keys().get(0).key()).isInstanceOf(RSAPublicKey.class);
    assertThat(set.keys().get(1).key()).isInstanceOf(ECPublicKey.class);
    assertThat(set.keys().get(2).key()).isInstanceOf(SecretKey.class);
    assertThat(set.keys().get(3).key().getAlgorithm()).isIn("EdDSA", "Ed25519");
    assertThat(set.toString()).doesNotContain(b64(SIGNING.get(Alg.HS512).secret));
  }

  @Test
  void trailingCommasAndOtherLegacyJsonAreAccepted() throws JwtException {
    assertThat(JwkSet.parse("{\"keys\":[" + RSA + ",],}").size()).isEqualTo(1);
    assertThat(JwkSet.parse("{keys:[" + RSA.replace('"', '\'') + "]}").size()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[]", "{\"keys\":[]", "{\"keys\":[1,,2]}", "\"keys\""})
  void invalidJsonIsParseError(String text) {
    assertThat(statusOf(text)).isEqualTo(JwtStatus.JWKS_PARSE_ERROR);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "null", "{\"key\":[]}", "{\"kid\":\"not a certificate\"}"})
  void missingKeysIsNoKeys(String text) {
    assertThat(statusOf(text)).isEqualTo(JwtStatus.JWKS_NO_KEYS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"keys\":{}}", "{\"keys\":null}", "{\"keys\":\"x\"}", "{\"keys\":1}"})
  void keysThatIsNotAnArrayIsBadKeys(String text) {
    assertThat(statusOf(text)).isEqualTo(JwtStatus.JWKS_BAD_KEYS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"keys\":[]}", "{\"keys\":[1,\"a\",null,[],true]}"})
  void noEntryToTryIsNoValidKeys(String text) {
    assertThat(statusOf(text)).isEqualTo(JwtStatus.JWKS_NO_VALID_KEYS);
  }

  @Test
  void nonObjectAndBrokenEntriesAreSkipped() throws JwtException {
    JwkSet set =
        JwkSet.parse(
            "{\"keys\":[1,\"x\",{\"kty\":\"XYZ\"},{\"kty\":\"RSA\",\"n\":\"+\",\"e\":\"AQAB\"},"
                + RSA
                + ",{}]}");

    assertThat(set.size()).isEqualTo(1);
    assertThat(set.keys().get(0).kty()).isEqualTo("RSA");
  }

  @Test
  void withoutValidKeysTheFirstFailureIsReported() {
    assertThat(statusOf("{\"keys\":[7,{\"kty\":\"XYZ\"},{}]}"))
        .isEqualTo(JwtStatus.JWKS_NOT_IMPLEMENTED_KTY);
    assertThat(statusOf("{\"keys\":[{},{\"kty\":\"XYZ\"}]}")).isEqualTo(JwtStatus.JWKS_MISSING_KTY);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{}|JWKS_MISSING_KTY",
        "{\"kty\":1}|JWKS_BAD_KTY",
        "{\"kty\":null}|JWKS_BAD_KTY",
        "{\"kty\":\"rsa\"}|JWKS_NOT_IMPLEMENTED_KTY",
        "{\"kty\":\"RSA\",\"alg\":\"ES256\"}|JWKS_RSA_KEY_BAD_ALG",
        "{\"kty\":\"RSA\",\"alg\":\"R\"}|JWKS_RSA_KEY_BAD_ALG",
        "{\"kty\":\"RSA\"}|JWKS_RSA_KEY_MISSING_N",
        "{\"kty\":\"RSA\",\"n\":1}|JWKS_RSA_KEY_BAD_N",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\"}|JWKS_RSA_KEY_MISSING_E",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":[]}|JWKS_RSA_KEY_BAD_E",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}|JWKS_RSA_PARSE_ERROR",
        "{\"kty\":\"EC\",\"alg\":\"RS256\"}|JWKS_EC_KEY_BAD_ALG",
        "{\"kty\":\"EC\",\"crv\":256}|JWKS_EC_KEY_BAD_CRV",
        "{\"kty\":\"EC\",\"alg\":\"ES256\",\"crv\":\"P-384\"}|JWKS_EC_KEY_ALG_NOT_COMPATIBLE_WITH_CRV",
        "{\"kty\":\"EC\",\"alg\":\"ES512\",\"crv\":\"P-512\"}|JWKS_EC_KEY_ALG_NOT_COMPATIBLE_WITH_CRV",
        "{\"kty\":\"EC\",\"crv\":\"secp256k1\"}|JWKS_EC_KEY_ALG_OR_CRV_UNSUPPORTED",
        "{\"kty\":\"EC\",\"alg\":\"ES256K\"}|JWKS_EC_KEY_ALG_OR_CRV_UNSUPPORTED",
        "{\"kty\":\"EC\"}|JWKS_EC_KEY_MISSING_X",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1}|JWKS_EC_KEY_BAD_X",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\"}|JWKS_EC_KEY_MISSING_Y",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":false}|JWKS_EC_KEY_BAD_Y",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"A+\",\"y\":\"AA\"}|JWKS_EC_X_OR_Y_BAD_BASE64",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"A\"}|JWKS_EC_X_OR_Y_BAD_BASE64",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}|JWKS_EC_PARSE_ERROR",
        "{\"kty\":\"oct\",\"alg\":\"RS256\"}|JWKS_HMAC_KEY_BAD_ALG",
        "{\"kty\":\"oct\",\"alg\":\"HS1\"}|JWKS_HMAC_KEY_BAD_ALG",
        "{\"kty\":\"oct\"}|JWKS_HMAC_KEY_MISSING_K",
        "{\"kty\":\"oct\",\"k\":{}}|JWKS_HMAC_KEY_BAD_K",
        "{\"kty\":\"oct\",\"k\":\"\"}|JWKS_OCT_BAD_BASE64",
        "{\"kty\":\"oct\",\"k\":\"a/b+\"}|JWKS_OCT_BAD_BASE64",
        "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}|OK",
        "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":5,\"alg\":6}|OK",
        "{\"kty\":\"OKP\",\"alg\":\"Ed25519\"}|JWKS_OKP_KEY_BAD_ALG",
        "{\"kty\":\"OKP\"}|JWKS_OKP_KEY_MISSING_CRV",
        "{\"kty\":\"OKP\",\"crv\":[]}|JWKS_OKP_KEY_BAD_CRV",
        "{\"kty\":\"OKP\",\"crv\":\"X25519\"}|JWKS_OKP_KEY_CRV_UNSUPPORTED",
        "{\"kty\":\"OKP\",\"crv\":\"Ed448\"}|JWKS_OKP_KEY_CRV_UNSUPPORTED",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}|JWKS_OKP_KEY_MISSING_X",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":0}|JWKS_OKP_KEY_BAD_X",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"a+b/\"}|JWKS_OKP_X_BAD_BASE64",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}|JWKS_OKP_X_WRONG_LENGTH",
      })
  void keyFailures(String jwk, JwtStatus expected) {
    assertThat(keyStatus(jwk)).isEqualTo(expected);
  }

  @Test
  void rsaKeyChecks() {
    String good = RSA;
    assertThat(keyStatus(good)).isEqualTo(JwtStatus.OK);
    // Standard base64 characters are not base64url: Envoy refuses them.
    String standardBase64 = RSA.replace(RSA_N, RSA_N.replace('-', '+').replace('_', '/'));
    if (!standardBase64.equals(RSA)) {
      assertThat(keyStatus(standardBase64)).isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
    }
    assertThat(keyStatus(RSA.replace(RSA_N, RSA_N + "+")))
        .isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
    // Only e = 3 or 65537.
    assertThat(keyStatus(RSA.replace(RSA_E, b64(new byte[] {17}))))
        .isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
    assertThat(keyStatus(RSA.replace(RSA_E, b64(new byte[] {3})))).isEqualTo(JwtStatus.OK);
    // An even modulus is no RSA modulus.
    byte[] even = Base64Url.decode(RSA_N);
    even[even.length - 1] &= (byte) 0xfe;
    assertThat(keyStatus(RSA.replace(RSA_N, b64(even)))).isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
    // Padding, leading zero bytes and whitespace are all fine for Abseil's decoder.
    byte[] n = Base64Url.decode(RSA_N);
    byte[] zeroPrefixed = new byte[n.length + 1];
    System.arraycopy(n, 0, zeroPrefixed, 1, n.length);
    assertThat(keyStatus(RSA.replace(RSA_N, b64(zeroPrefixed)))).isEqualTo(JwtStatus.OK);
    assertThat(keyStatus(RSA.replace(RSA_E, " AQ\\nAB "))).isEqualTo(JwtStatus.OK);
    assertThat(keyStatus(RSA.replace(RSA_E, "AQAB."))).isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
    assertThat(keyStatus(RSA.replace(RSA_E, "AQE="))).isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
    assertThat(keyStatus(RSA.replace(RSA_E, "Aw=="))).isEqualTo(JwtStatus.OK);
  }

  @Test
  void ecCurveComesFromCrvOrAlgOrDefaultsToP256() throws JwtException {
    String p256 = ecJwk(Alg.ES256, null, null);
    String p384 = ecJwk(Alg.ES384, null, null);

    assertThat(JwkSet.parse(jwks(p256)).keys().get(0).crv()).isEqualTo("P-256");
    assertThat(JwkSet.parse(jwks(ecJwk(Alg.ES384, null, "ES384"))).keys().get(0).crv())
        .isEqualTo("P-384");
    assertThat(JwkSet.parse(jwks(ecJwk(Alg.ES512, "P-521", null))).keys().get(0).crv())
        .isEqualTo("P-521");
    // Neither alg nor crv: P-256, so a P-384 point is not on the curve.
    assertThat(keyStatus(p384)).isEqualTo(JwtStatus.JWKS_EC_PARSE_ERROR);
    assertThat(keyStatus(ecJwk(Alg.ES256, "P-256", "ES256"))).isEqualTo(JwtStatus.OK);
    assertThat(keyStatus(ecJwk(Alg.ES256, "P-256", "ES384")))
        .isEqualTo(JwtStatus.JWKS_EC_KEY_ALG_NOT_COMPATIBLE_WITH_CRV);
    assertThat(keyStatus(ecJwk(Alg.ES256, "", null))).isEqualTo(JwtStatus.OK);
    assertThat(keyStatus(ecJwk(Alg.ES384, "P-256", null))).isEqualTo(JwtStatus.JWKS_EC_PARSE_ERROR);
  }

  /** An EC JWK of the test key for {@code alg}, with the given crv and alg members (or none). */
  private static String ecJwk(Alg keyOf, String crv, String alg) {
    ECPublicKey key = (ECPublicKey) SIGNING.get(keyOf).pair.getPublic();
    return "{\"kty\":\"EC\""
        + (crv == null ? "" : ",\"crv\":\"" + crv + "\"")
        + (alg == null ? "" : ",\"alg\":\"" + alg + "\"")
        + ",\"x\":\""
        + b64(unsigned(key.getW().getAffineX()))
        + "\",\"y\":\""
        + b64(unsigned(key.getW().getAffineY()))
        + "\"}";
  }

  @Test
  void ecCoordinatesMayCarryLeadingZeros() throws JwtException {
    ECPublicKey key = (ECPublicKey) SIGNING.get(Alg.ES512).pair.getPublic();
    byte[] x = fixed(key.getW().getAffineX(), 66);
    byte[] y = fixed(key.getW().getAffineY(), 66);
    String jwk66 = ecJwk("P-521", x, y);
    String jwk65 = ecJwk("P-521", stripLeadingZeros(x), stripLeadingZeros(y));
    String jwk70 =
        ecJwk("P-521", fixed(key.getW().getAffineX(), 70), fixed(key.getW().getAffineY(), 70));

    for (String jwk : new String[] {jwk66, jwk65, jwk70}) {
      JwkSet set = JwkSet.parse(jwks(jwk));
      assertThat(((ECPublicKey) set.keys().get(0).key()).getW()).isEqualTo(key.getW());
    }
  }

  @Test
  void ecCoordinateOutsideTheFieldIsRefused() {
    ECPublicKey key = (ECPublicKey) SIGNING.get(Alg.ES256).pair.getPublic();
    BigInteger p = ((java.security.spec.ECFieldFp) key.getParams().getCurve().getField()).getP();
    BigInteger shiftedX = key.getW().getAffineX().add(p);
    String jwk = ecJwk("P-256", unsigned(shiftedX), unsigned(key.getW().getAffineY()));

    assertThat(keyStatus(jwk)).isEqualTo(JwtStatus.JWKS_EC_PARSE_ERROR);
  }

  @Test
  void okpKeyTheJdkCannotDecodeIsKeptButNeverVerifies() throws JwtException {
    // y >= p: BoringSSL takes any 32 bytes, the JDK refuses the encoding when it verifies.
    byte[] x = new byte[32];
    Arrays.fill(x, (byte) 0xff);
    JwkSet set =
        JwkSet.parse(jwks("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + b64(x) + "\"}"));

    assertThat(set.keys()).singleElement().extracting(Jwk::kty).isEqualTo("OKP");
    String token = b64("{\"alg\":\"EdDSA\"}") + "." + b64("{}") + "." + b64(new byte[64]);
    assertThat(JwtVerifier.verifySignature(Jwt.parse(token), set))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @Test
  void kidAndAlgThatAreNotStringsAreIgnored() throws JwtException {
    JwkSet set = JwkSet.parse(jwks("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":5,\"alg\":\"\"}"));

    assertThat(set.keys().get(0).kid()).isNull();
    assertThat(set.keys().get(0).alg()).isNull();
  }

  @Test
  void privateOrSymmetricMaterialIsFlagged() throws JwtException {
    assertThat(JwkSet.parse(jwks(RSA)).hasPrivateOrSymmetricKeyMaterial()).isFalse();
    assertThat(
            JwkSet.parse(jwks(SIGNING.get(Alg.ES256).jwk("a", null)))
                .hasPrivateOrSymmetricKeyMaterial())
        .isFalse();
    assertThat(
            JwkSet.parse(jwks(RSA.replace("{", "{\"d\":\"AQAB\",")))
                .hasPrivateOrSymmetricKeyMaterial())
        .isTrue();
    assertThat(
            JwkSet.parse(jwks("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}"))
                .hasPrivateOrSymmetricKeyMaterial())
        .isTrue();
    // Flagged even when the entry carrying it is unusable.
    assertThat(
            JwkSet.parse(jwks("{\"kty\":\"EC\",\"d\":\"AA\"}", RSA))
                .hasPrivateOrSymmetricKeyMaterial())
        .isTrue();
  }

  @Test
  void x509CertificateMapIsAcceptedAsRsaKeys() throws Exception {
    String cert1 = TestCertificates.selfSignedRsaPem();
    String cert2 = TestCertificates.selfSignedRsaPem();
    JwkSet set = JwkSet.parse("{\"kid-1\":" + quoted(cert1) + ",\"kid-2\":" + quoted(cert2) + "}");

    assertThat(set.keys()).extracting(Jwk::kid).containsExactly("kid-1", "kid-2");
    assertThat(set.keys()).extracting(Jwk::kty).containsOnly("RSA");
    assertThat(set.keys()).extracting(Jwk::alg).containsOnlyNulls();
    assertThat(set.keys().get(0).key()).isInstanceOf(RSAPublicKey.class);
    assertThat(set.hasPrivateOrSymmetricKeyMaterial()).isFalse();
  }

  @Test
  void x509MapRules() throws Exception {
    String rsa = TestCertificates.selfSignedRsaPem();
    String ec = TestCertificates.selfSignedEcPem();
    // An EC certificate has no RSA key: the whole set fails.
    assertThat(statusOf("{\"a\":" + quoted(rsa) + ",\"b\":" + quoted(ec) + "}"))
        .isEqualTo(JwtStatus.JWKS_X509_GET_PUBKEY_ERROR);
    String broken = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
    assertThat(statusOf("{\"a\":" + quoted(broken) + "}"))
        .isEqualTo(JwtStatus.JWKS_X509_PARSE_ERROR);
    // Without the exact prefix/suffix (newlines included) or with an empty name: not a map.
    assertThat(statusOf("{\"a\":" + quoted(rsa.strip()) + "}")).isEqualTo(JwtStatus.JWKS_NO_KEYS);
    assertThat(statusOf("{\"\":" + quoted(rsa) + "}")).isEqualTo(JwtStatus.JWKS_NO_KEYS);
    assertThat(statusOf("{\"a\":" + quoted(rsa) + ",\"b\":1}")).isEqualTo(JwtStatus.JWKS_NO_KEYS);
  }

  @Test
  void rsaModulusMustBeAtLeast64BytesWhateverTheProvider() {
    // The JDK's minimum is 512 bits rounded up to bytes, so 505 bits pass and 504 do not. ACCP
    // (like BoringSSL) takes any size, so JwkParser checks it itself.
    assertThat(keyStatus(rsaJwkWithModulus(oddNumberOfBits(505)))).isEqualTo(JwtStatus.OK);
    assertThat(keyStatus(rsaJwkWithModulus(oddNumberOfBits(504))))
        .isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
    assertThat(keyStatus(rsaJwkWithModulus(oddNumberOfBits(256))))
        .isEqualTo(JwtStatus.JWKS_RSA_PARSE_ERROR);
  }

  @Test
  void x509CertificateWithAnRsaKeyUnder64BytesFailsWhateverTheProvider() throws Exception {
    String small = TestCertificates.rsaPemWithModulus(oddNumberOfBits(504));
    String enough = TestCertificates.rsaPemWithModulus(oddNumberOfBits(505));

    assertThat(statusOf("{\"a\":" + quoted(enough) + "}")).isEqualTo(JwtStatus.OK);
    assertThat(statusOf("{\"a\":" + quoted(small) + "}"))
        .isEqualTo(JwtStatus.JWKS_X509_PARSE_ERROR);
  }

  private static BigInteger oddNumberOfBits(int bits) {
    return new BigInteger(bits - 1, new java.util.Random(bits)).setBit(bits - 1).setBit(0);
  }

  private static String rsaJwkWithModulus(BigInteger modulus) {
    return RSA.replace(RSA_N, b64(unsigned(modulus)));
  }

  @Test
  void istioSampleJwksParses() throws Exception {
    JwkSet set = JwkSet.parse(resource("jwt/jwks.json"));

    assertThat(set.keys())
        .singleElement()
        .satisfies(
            key -> {
              assertThat(key.kid()).isEqualTo("DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ");
              assertThat(key.kty()).isEqualTo("RSA");
              assertThat(key.alg()).isNull();
            });
  }

  static String resource(String name) throws java.io.IOException {
    try (var in = JwkSetTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A JSON string literal of the text. */
  private static String quoted(String text) {
    String json = TestKeys.json(java.util.Map.of("v", text));
    return json.substring("{\"v\":".length(), json.length() - 1);
  }

  private static String ecJwk(String crv, byte[] x, byte[] y) {
    return "{\"kty\":\"EC\",\"crv\":\""
        + crv
        + "\",\"x\":\""
        + b64(x)
        + "\",\"y\":\""
        + b64(y)
        + "\"}";
  }

  private static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = unsigned(value);
    byte[] out = new byte[length];
    System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
    return out;
  }

  private static byte[] stripLeadingZeros(byte[] bytes) {
    int i = 0;
    while (i < bytes.length - 1 && bytes[i] == 0) {
      i++;
    }
    return Arrays.copyOfRange(bytes, i, bytes.length);
  }
}
