package dev.meshguard.jwt;

import static dev.meshguard.jwt.TestKeys.SIGNING;
import static dev.meshguard.jwt.TestKeys.b64;
import static dev.meshguard.jwt.TestKeys.header;
import static dev.meshguard.jwt.TestKeys.jwks;
import static dev.meshguard.jwt.TestKeys.token;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import dev.meshguard.jwt.TestKeys.Alg;
import dev.meshguard.jwt.TestKeys.TestKey;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link JwtVerifier}: time, audiences, key choice and the signature quirks Envoy has. */
class JwtVerifierTest {
  private static final String CLAIMS = "{\"iss\":\"issuer\",\"sub\":\"subject\"}";

  private static Jwt jwt(String token) {
    try {
      return Jwt.parse(token);
    } catch (JwtException e) {
      throw new AssertionError("unexpected " + e.status(), e);
    }
  }

  private static Jwt withClaims(String payloadJson) {
    return jwt(b64("{\"alg\":\"HS256\"}") + "." + b64(payloadJson) + ".c2ln");
  }

  // ---- time ----------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
    // nbf, exp, now, expected
    "0, 0, 1000, OK",
    "1060, 0, 1000, OK",
    "1061, 0, 1000, JWT_NOT_YET_VALID",
    "0, 940, 1000, OK",
    "0, 939, 1000, JWT_EXPIRED",
    "0, 1, 1000, JWT_EXPIRED",
    "2000, 1, 1000, JWT_NOT_YET_VALID",
    "0, 18446744073709549568, 1000, OK",
    "0, 0, 0, OK",
  })
  void timeWindowWithSixtySecondsOfSkew(String nbf, String exp, long now, JwtStatus expected) {
    Jwt jwt = withClaims("{\"nbf\":" + nbf + ",\"exp\":" + exp + ",\"iat\":99999999999}");

    assertThat(JwtVerifier.verifyTime(jwt, now)).isEqualTo(expected);
  }

  @Test
  void iatIsNotCompared() {
    Jwt issuedInTheFuture = withClaims("{\"iat\":9999999999}");

    assertThat(JwtVerifier.verifyTime(issuedInTheFuture, 1000)).isEqualTo(JwtStatus.OK);
  }

  @Test
  void customSkew() {
    Jwt jwt = withClaims("{\"exp\":1000}");

    assertThat(JwtVerifier.verifyTime(jwt, 1005, 0)).isEqualTo(JwtStatus.JWT_EXPIRED);
    assertThat(JwtVerifier.verifyTime(jwt, 1005, 5)).isEqualTo(JwtStatus.OK);
  }

  // ---- audiences -----------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"a\"|a|OK",
        "\"a\"|b|JWT_AUDIENCE_NOT_ALLOWED",
        "[\"x\",\"a\"]|a|OK",
        "\"https://example.com/\"|example.com|OK",
        "\"example.com\"|http://example.com/|OK",
        "\"http://example.com\"|https://example.com|OK",
        "\"example.com//\"|example.com|JWT_AUDIENCE_NOT_ALLOWED",
        "\"example.com/\"|example.com/|OK",
        "\"HTTPS://example.com\"|example.com|JWT_AUDIENCE_NOT_ALLOWED",
        "\"Example.com\"|example.com|JWT_AUDIENCE_NOT_ALLOWED",
        "\"ftp://example.com\"|example.com|JWT_AUDIENCE_NOT_ALLOWED",
        "\"http://\"|https://|OK",
        "\"/\"|http://|OK",
        "\"\"|/|OK",
        "[]|a|JWT_AUDIENCE_NOT_ALLOWED",
      })
  void audiencesAreNormalisedOnBothSides(String aud, String allowed, JwtStatus expected) {
    Jwt jwt = withClaims("{\"aud\":" + aud + "}");

    assertThat(JwtVerifier.verifyAudiences(jwt, List.of(allowed))).isEqualTo(expected);
  }

  @Test
  void noAllowedAudiencesAcceptsAnyOrNone() {
    assertThat(JwtVerifier.verifyAudiences(withClaims("{}"), List.of())).isEqualTo(JwtStatus.OK);
    assertThat(JwtVerifier.verifyAudiences(withClaims("{\"aud\":\"x\"}"), List.of()))
        .isEqualTo(JwtStatus.OK);
    assertThat(JwtVerifier.verifyAudiences(withClaims("{}"), List.of("x")))
        .isEqualTo(JwtStatus.JWT_AUDIENCE_NOT_ALLOWED);
  }

  // ---- order ---------------------------------------------------------------------------------

  @Test
  void verifyChecksTimeThenAudienceThenSignature() throws JwtException {
    TestKey key = SIGNING.get(Alg.RS256);
    JwkSet otherKeys = JwkSet.parse(jwks(TestKeys.OTHER.get(Alg.RS256).jwk(null, null)));
    String expiredWrongAudience =
        token(Alg.RS256, key, header("RS256", null), "{\"exp\":1,\"aud\":\"no\"}");
    String wrongAudience = token(Alg.RS256, key, header("RS256", null), "{\"aud\":\"no\"}");
    String good = token(Alg.RS256, key, header("RS256", null), "{\"aud\":\"yes\"}");

    assertThat(JwtVerifier.verify(jwt(expiredWrongAudience), otherKeys, List.of("yes"), 1000))
        .isEqualTo(JwtStatus.JWT_EXPIRED);
    assertThat(JwtVerifier.verify(jwt(wrongAudience), otherKeys, List.of("yes"), 1000))
        .isEqualTo(JwtStatus.JWT_AUDIENCE_NOT_ALLOWED);
    assertThat(JwtVerifier.verify(jwt(good), otherKeys, List.of("yes"), 1000))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  // ---- Istio's sample ------------------------------------------------------------------------

  @Test
  void istioDemoTokenVerifiesAgainstIstioSampleJwks() throws Exception {
    Jwt demo = Jwt.parse(JwkSetTest.resource("jwt/demo.jwt").strip());
    JwkSet keys = JwkSet.parse(JwkSetTest.resource("jwt/jwks.json"));

    assertThat(demo.issuer()).isEqualTo("testing@secure.istio.io");
    assertThat(demo.subject()).isEqualTo("testing@secure.istio.io");
    assertThat(demo.expiry()).isEqualTo(4_685_989_700L);
    assertThat(demo.payload().get("foo").textValue()).isEqualTo("bar");
    assertThat(JwtVerifier.verify(demo, keys, List.of(), 1_700_000_000L)).isEqualTo(JwtStatus.OK);
    assertThat(JwtVerifier.verify(demo, keys, List.of(), 4_685_989_760L)).isEqualTo(JwtStatus.OK);
    assertThat(JwtVerifier.verify(demo, keys, List.of(), 4_685_989_761L))
        .isEqualTo(JwtStatus.JWT_EXPIRED);
    assertThat(JwtVerifier.verify(demo, keys, List.of("x"), 1_700_000_000L))
        .isEqualTo(JwtStatus.JWT_AUDIENCE_NOT_ALLOWED);
  }

  // ---- no algorithm confusion ----------------------------------------------------------------

  @Test
  void algNoneIsRefusedAtParse() {
    String unsigned = b64("{\"alg\":\"none\"}") + "." + b64(CLAIMS) + ".";
    String withSignature = b64("{\"alg\":\"none\"}") + "." + b64(CLAIMS) + ".AA";

    assertThat(catchThrowableOfType(JwtException.class, () -> Jwt.parse(unsigned)).status())
        .isEqualTo(JwtStatus.JWT_BAD_FORMAT);
    assertThat(catchThrowableOfType(JwtException.class, () -> Jwt.parse(withSignature)).status())
        .isEqualTo(JwtStatus.JWT_HEADER_NOT_IMPLEMENTED_ALG);
  }

  @Test
  void hmacTokenSignedWithTheRsaPublicKeyNeverVerifies() throws Exception {
    TestKey rsa = SIGNING.get(Alg.RS256);
    String jwk = rsa.jwk("k", null);
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(rsa.pair.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    JwkSet keysWithoutAlg = JwkSet.parse(jwks(jwk));
    JwkSet keysWithAlg = JwkSet.parse(jwks(rsa.jwk("k", "RS256")));

    for (byte[] secret :
        List.of(
            pem.getBytes(UTF_8),
            jwk.getBytes(UTF_8),
            jwks(jwk).getBytes(UTF_8),
            rsa.pair.getPublic().getEncoded())) {
      String forged = hmacToken("HS256", secret, CLAIMS);
      assertThat(JwtVerifier.verifySignature(jwt(forged), keysWithoutAlg))
          .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
      assertThat(JwtVerifier.verifySignature(jwt(forged), keysWithAlg))
          .isEqualTo(JwtStatus.JWKS_KID_ALG_MISMATCH);
    }
  }

  @Test
  void rsaTokenIsNeverCheckedWithAnEcOrEdKeyAsRsa() throws JwtException {
    String rsaToken = token(Alg.RS256, SIGNING.get(Alg.RS256), header("RS256", null), CLAIMS);
    JwkSet nonRsa =
        JwkSet.parse(
            jwks(SIGNING.get(Alg.ES256).jwk(null, null), SIGNING.get(Alg.HS256).jwk(null, null)));

    assertThat(JwtVerifier.verifySignature(jwt(rsaToken), nonRsa))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @Test
  void tokenAlgOutsideTheKeyFamilyIsNotTriedOnRsaKeys() throws JwtException {
    // Envoy's RSA branch only runs for RS*/PS*: an ES256 token against an RSA key fails.
    String ecToken = token(Alg.ES256, SIGNING.get(Alg.ES256), header("ES256", null), CLAIMS);
    JwkSet rsaOnly = JwkSet.parse(jwks(SIGNING.get(Alg.RS256).jwk(null, null)));

    assertThat(JwtVerifier.verifySignature(jwt(ecToken), rsaOnly))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  // ---- Envoy's quirks, pinned ----------------------------------------------------------------

  @Test
  void keyTypeNotTokenAlgChoosesThePrimitive() throws JwtException {
    // An EC key without alg checks ECDSA whatever the token says; the alg only picks the digest.
    TestKey ec = SIGNING.get(Alg.ES256);
    String labelledEdDsa = token(Alg.ES256, ec, header("EdDSA", null), CLAIMS);
    // An oct key without alg checks HMAC-SHA256 for a token labelled RS256.
    TestKey oct = SIGNING.get(Alg.HS256);
    String labelledRs256 = token(Alg.HS256, oct, header("RS256", null), CLAIMS);

    assertThat(
            JwtVerifier.verifySignature(jwt(labelledEdDsa), JwkSet.parse(jwks(ec.jwk(null, null)))))
        .isEqualTo(JwtStatus.OK);
    assertThat(
            JwtVerifier.verifySignature(
                jwt(labelledRs256), JwkSet.parse(jwks(oct.jwk(null, null)))))
        .isEqualTo(JwtStatus.OK);
  }

  @Test
  void ecdsaSignatureIsSplitInHalves() throws JwtException {
    TestKey ec = SIGNING.get(Alg.ES256);
    JwkSet keys = JwkSet.parse(jwks(ec.jwk(null, null)));
    String token = token(Alg.ES256, ec, header("ES256", null), CLAIMS);
    int dot = token.lastIndexOf('.');
    byte[] raw = Base64Url.decode(token.substring(dot + 1));
    byte[] withTrailingByte = Arrays.copyOf(raw, raw.length + 1);
    byte[] zeroPaddedHalves = new byte[raw.length + 2];
    System.arraycopy(raw, 0, zeroPaddedHalves, 1, 32);
    System.arraycopy(raw, 32, zeroPaddedHalves, 34, 32);
    byte[] truncated = Arrays.copyOf(raw, raw.length - 1);

    assertThat(verifyWithSignature(token, withTrailingByte, keys)).isEqualTo(JwtStatus.OK);
    assertThat(verifyWithSignature(token, zeroPaddedHalves, keys)).isEqualTo(JwtStatus.OK);
    assertThat(verifyWithSignature(token, truncated, keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
    assertThat(verifyWithSignature(token, new byte[0], keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
    assertThat(verifyWithSignature(token, new byte[64], keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @Test
  void derEncodedEcdsaSignatureFails() throws Exception {
    TestKey ec = SIGNING.get(Alg.ES256);
    String input = b64(header("ES256", null)) + "." + b64(CLAIMS);
    Signature der = Signature.getInstance("SHA256withECDSA");
    der.initSign(ec.pair.getPrivate());
    der.update(input.getBytes(UTF_8));
    String token = input + "." + b64(der.sign());

    assertThat(JwtVerifier.verifySignature(jwt(token), JwkSet.parse(jwks(ec.jwk(null, null)))))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @Test
  void pssSaltLengthIsRecoveredLikeBoringSsl() throws JwtException {
    TestKey rsa = SIGNING.get(Alg.PS256);
    JwkSet keys = JwkSet.parse(jwks(rsa.jwk(null, null)));
    String input = b64(header("PS256", null)) + "." + b64(CLAIMS);

    for (int salt : new int[] {0, 1, 20, 32, 64, 222}) {
      String token = input + "." + b64(rsa.signPss(Alg.PS256, salt, input.getBytes(UTF_8)));
      assertThat(JwtVerifier.verifySignature(jwt(token), keys))
          .as("salt %d", salt)
          .isEqualTo(JwtStatus.OK);
    }
    String wrongHash = input + "." + b64(rsa.signPss(Alg.PS384, 32, input.getBytes(UTF_8)));
    assertThat(JwtVerifier.verifySignature(jwt(wrongHash), keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
    // A PKCS#1 v1.5 signature is no PSS signature.
    String pkcs1 = input + "." + b64(rsa.sign(Alg.RS256, input.getBytes(UTF_8)));
    assertThat(JwtVerifier.verifySignature(jwt(pkcs1), keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @Test
  void rsaSignatureOfWrongLengthFails() throws JwtException {
    TestKey rsa = SIGNING.get(Alg.RS256);
    JwkSet keys = JwkSet.parse(jwks(rsa.jwk(null, null)));
    String token = token(Alg.RS256, rsa, header("RS256", null), CLAIMS);
    byte[] raw = Base64Url.decode(token.substring(token.lastIndexOf('.') + 1));
    byte[] zeroPrefixed = new byte[raw.length + 1];
    System.arraycopy(raw, 0, zeroPrefixed, 1, raw.length);

    assertThat(verifyWithSignature(token, zeroPrefixed, keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @ParameterizedTest
  @EnumSource(
      value = Alg.class,
      names = {"RS256", "RS384", "RS512"})
  void pkcs1DigestInfoMustCarryNullParametersLikeBoringSsl(Alg alg) throws Exception {
    TestKey rsa = SIGNING.get(alg);
    JwkSet keys = JwkSet.parse(jwks(rsa.jwk(null, null)));
    String input = b64(header(alg.name(), null)) + "." + b64(CLAIMS);
    byte[] digest = MessageDigest.getInstance("SHA-" + alg.bits()).digest(input.getBytes(UTF_8));
    byte[] withNull = rawPkcs1Signature(rsa, digestInfo(alg, digest, true));
    byte[] withoutNull = rawPkcs1Signature(rsa, digestInfo(alg, digest, false));

    // The hand-made encoding is the standard one: it is what the signer produces.
    assertThat(withNull).isEqualTo(rsa.sign(alg, input.getBytes(UTF_8)));
    assertThat(verifyWithSignature(input + ".AA", withNull, keys)).isEqualTo(JwtStatus.OK);
    // The JDK's SHA256withRSA would accept this one; BoringSSL (Envoy) and AWS-LC do not.
    assertThat(verifyWithSignature(input + ".AA", withoutNull, keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  @ParameterizedTest
  @EnumSource(
      value = Alg.class,
      names = {"RS256", "PS256"})
  void rsaSignatureWithoutItsLeadingZeroByteFails(Alg alg) throws JwtException {
    TestKey rsa = SIGNING.get(alg);
    JwkSet keys = JwkSet.parse(jwks(rsa.jwk(null, null)));
    // About one signature in 256 starts with a zero byte. BoringSSL wants exactly the modulus
    // length, while a raw JCA RSA operation would take the shorter form.
    String token = null;
    byte[] signature = null;
    for (int i = 0; i < 5000 && (signature == null || signature[0] != 0); i++) {
      token = token(alg, rsa, header(alg.name(), null), "{\"iss\":\"issuer\",\"n\":" + i + "}");
      signature = Base64Url.decode(token.substring(token.lastIndexOf('.') + 1));
    }
    assertThat(signature[0]).as("a signature starting with a zero byte").isZero();

    assertThat(JwtVerifier.verifySignature(jwt(token), keys)).isEqualTo(JwtStatus.OK);
    assertThat(verifyWithSignature(token, Arrays.copyOfRange(signature, 1, signature.length), keys))
        .isEqualTo(JwtStatus.JWT_VERIFICATION_FAIL);
  }

  /** DER DigestInfo of a SHA-2 digest, with or without the NULL algorithm parameters. */
  private static byte[] digestInfo(Alg alg, byte[] digest, boolean withNull) {
    byte[] oid = {0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0};
    oid[10] =
        switch (alg.bits()) {
          case 256 -> 1;
          case 384 -> 2;
          default -> 3;
        };
    byte[] parameters = withNull ? new byte[] {0x05, 0x00} : new byte[0];
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int algorithmLength = oid.length + parameters.length;
    int length = 2 + algorithmLength + 2 + digest.length;
    out.write(0x30);
    out.write(length);
    out.write(0x30);
    out.write(algorithmLength);
    out.writeBytes(oid);
    out.writeBytes(parameters);
    out.write(0x04);
    out.write(digest.length);
    out.writeBytes(digest);
    return out.toByteArray();
  }

  /** EMSA-PKCS1-v1_5 padding of a DigestInfo, then the raw RSA private-key operation. */
  private static byte[] rawPkcs1Signature(TestKey rsa, byte[] digestInfo)
      throws GeneralSecurityException {
    int k = (((RSAPublicKey) rsa.pair.getPublic()).getModulus().bitLength() + 7) / 8;
    byte[] encoded = new byte[k];
    encoded[1] = 0x01;
    Arrays.fill(encoded, 2, k - digestInfo.length - 1, (byte) 0xff);
    System.arraycopy(digestInfo, 0, encoded, k - digestInfo.length, digestInfo.length);
    Cipher raw = Cipher.getInstance("RSA/ECB/NoPadding");
    raw.init(Cipher.ENCRYPT_MODE, rsa.pair.getPrivate());
    return raw.doFinal(encoded);
  }

  @Test
  void ed25519SignatureOfWrongLengthStopsTheKeyWalk() throws JwtException {
    TestKey ed = SIGNING.get(Alg.EdDSA);
    String token = token(Alg.EdDSA, ed, header("EdDSA", null), CLAIMS);
    byte[] raw = Base64Url.decode(token.substring(token.lastIndexOf('.') + 1));
    JwkSet keys = JwkSet.parse(jwks(ed.jwk(null, null)));

    assertThat(verifyWithSignature(token, Arrays.copyOf(raw, 63), keys))
        .isEqualTo(JwtStatus.JWT_ED25519_SIGNATURE_WRONG_LENGTH);
    assertThat(verifyWithSignature(token, Arrays.copyOf(raw, 65), keys))
        .isEqualTo(JwtStatus.JWT_ED25519_SIGNATURE_WRONG_LENGTH);

    // An ES384 token (96-byte signature) meets an OKP key without alg first: Envoy stops there,
    // although the EC key after it would verify.
    TestKey ec384 = SIGNING.get(Alg.ES384);
    String es384 = token(Alg.ES384, ec384, header("ES384", null), CLAIMS);
    JwkSet okpFirst = JwkSet.parse(jwks(ed.jwk(null, null), ec384.jwk(null, null)));
    assertThat(JwtVerifier.verifySignature(jwt(es384), okpFirst))
        .isEqualTo(JwtStatus.JWT_ED25519_SIGNATURE_WRONG_LENGTH);
    // An ES256 signature is 64 bytes: the OKP key just fails and the walk goes on.
    TestKey ec256 = SIGNING.get(Alg.ES256);
    String es256 = token(Alg.ES256, ec256, header("ES256", null), CLAIMS);
    JwkSet okpFirst256 = JwkSet.parse(jwks(ed.jwk(null, null), ec256.jwk(null, null)));
    assertThat(JwtVerifier.verifySignature(jwt(es256), okpFirst256)).isEqualTo(JwtStatus.OK);
  }

  @Test
  void signatureCoversThePartsAsSplitNotTheRawPrefix() throws JwtException {
    TestKey key = SIGNING.get(Alg.HS256);
    JwkSet keys = JwkSet.parse(jwks(key.jwk(null, null)));
    String token = token(Alg.HS256, key, header("HS256", null), CLAIMS);
    String[] parts = token.split("\\.");

    assertThat(JwtVerifier.verifySignature(jwt(parts[0] + ".." + parts[1] + "." + parts[2]), keys))
        .isEqualTo(JwtStatus.OK);
    assertThat(JwtVerifier.verifySignature(jwt("." + token + "."), keys)).isEqualTo(JwtStatus.OK);
  }

  @Test
  void emptyKidOnEitherSideMatchesAnyKey() throws JwtException {
    TestKey key = SIGNING.get(Alg.HS256);
    String tokenWithEmptyKid = token(Alg.HS256, key, header("HS256", ""), CLAIMS);
    String tokenWithKid = token(Alg.HS256, key, header("HS256", "a"), CLAIMS);

    assertThat(
            JwtVerifier.verifySignature(
                jwt(tokenWithEmptyKid), JwkSet.parse(jwks(key.jwk("b", null)))))
        .isEqualTo(JwtStatus.OK);
    assertThat(
            JwtVerifier.verifySignature(
                jwt(tokenWithKid),
                JwkSet.parse(jwks(key.jwk(null, null).replace("{", "{\"kid\":\"\",")))))
        .isEqualTo(JwtStatus.OK);
  }

  @Test
  void firstMatchingKeyThatVerifiesWins() throws JwtException {
    TestKey key = SIGNING.get(Alg.HS256);
    TestKey other = TestKeys.OTHER.get(Alg.HS256);
    String token = token(Alg.HS256, key, header("HS256", "k"), CLAIMS);
    JwkSet keys =
        JwkSet.parse(jwks(other.jwk("k", null), other.jwk("x", null), key.jwk("k", "HS256")));

    assertThat(JwtVerifier.verifySignature(jwt(token), keys)).isEqualTo(JwtStatus.OK);
  }

  // ---- interop and threads -------------------------------------------------------------------

  @Test
  void tokensSignedByNimbusVerify() throws Exception {
    String claims = CLAIMS;
    JWSObject rs = new JWSObject(new JWSHeader(JWSAlgorithm.PS512), new Payload(claims));
    rs.sign(new RSASSASigner(SIGNING.get(Alg.PS512).pair.getPrivate()));
    JWSObject es = new JWSObject(new JWSHeader(JWSAlgorithm.ES512), new Payload(claims));
    es.sign(new ECDSASigner((ECPrivateKey) SIGNING.get(Alg.ES512).pair.getPrivate()));
    JWSObject hs = new JWSObject(new JWSHeader(JWSAlgorithm.HS384), new Payload(claims));
    hs.sign(new MACSigner(SIGNING.get(Alg.HS384).secret));

    assertThat(JwtVerifier.verifySignature(jwt(rs.serialize()), keysOf(Alg.PS512)))
        .isEqualTo(JwtStatus.OK);
    assertThat(JwtVerifier.verifySignature(jwt(es.serialize()), keysOf(Alg.ES512)))
        .isEqualTo(JwtStatus.OK);
    assertThat(JwtVerifier.verifySignature(jwt(hs.serialize()), keysOf(Alg.HS384)))
        .isEqualTo(JwtStatus.OK);
  }

  @Test
  void verificationIsThreadSafe() throws Exception {
    List<Alg> algs = List.of(Alg.values());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results =
          pool.invokeAll(
              algs.stream()
                  .<java.util.concurrent.Callable<Boolean>>map(
                      alg ->
                          () -> {
                            JwkSet keys = keysOf(alg);
                            for (int i = 0; i < 20; i++) {
                              String good =
                                  token(
                                      alg,
                                      SIGNING.get(alg),
                                      header(alg.name(), null),
                                      "{\"i\":" + i + "}");
                              String bad =
                                  token(
                                      alg,
                                      TestKeys.OTHER.get(alg),
                                      header(alg.name(), null),
                                      "{\"i\":" + i + "}");
                              if (JwtVerifier.verifySignature(Jwt.parse(good), keys) != JwtStatus.OK
                                  || JwtVerifier.verifySignature(Jwt.parse(bad), keys)
                                      != JwtStatus.JWT_VERIFICATION_FAIL) {
                                return false;
                              }
                            }
                            return true;
                          })
                  .toList());
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static JwkSet keysOf(Alg alg) throws JwtException {
    return JwkSet.parse(jwks(SIGNING.get(alg).jwk(null, null)));
  }

  private static JwtStatus verifyWithSignature(String token, byte[] signature, JwkSet keys) {
    // An empty segment would be dropped by the split; a lone space decodes to no bytes.
    String segment = signature.length == 0 ? " " : b64(signature);
    String replaced = token.substring(0, token.lastIndexOf('.') + 1) + segment;
    return JwtVerifier.verifySignature(jwt(replaced), keys);
  }

  private static String hmacToken(String alg, byte[] secret, String claims)
      throws GeneralSecurityException {
    String input = b64("{\"alg\":\"" + alg + "\"}") + "." + b64(claims);
    Mac mac = Mac.getInstance("HmacSHA" + alg.substring(2));
    mac.init(new SecretKeySpec(secret, "HMAC"));
    return input + "." + b64(mac.doFinal(input.getBytes(UTF_8)));
  }
}
