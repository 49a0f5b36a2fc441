package dev.meshguard.jwt;

import static dev.meshguard.jwt.TestKeys.b64;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Jwt#parse}: Envoy's checks, statuses and their order. */
class JwtParseTest {
  private static final String HEADER = b64("{\"alg\":\"RS256\",\"kid\":\"k1\"}");
  private static final String PAYLOAD = b64("{\"iss\":\"issuer\",\"sub\":\"subject\"}");
  private static final String SIGNATURE = b64("signature-bytes");

  private static JwtStatus statusOf(String token) {
    JwtException e = catchThrowableOfType(JwtException.class, () -> Jwt.parse(token));
    return e == null ? JwtStatus.OK : e.status();
  }

  private static String withHeader(String headerJson) {
    return b64(headerJson) + "." + PAYLOAD + "." + SIGNATURE;
  }

  private static String withPayload(String payloadJson) {
    return HEADER + "." + b64(payloadJson) + "." + SIGNATURE;
  }

  @Test
  void wellFormedTokenExposesItsParts() throws JwtException {
    String payloadJson =
        "{\"iss\":\"issuer\",\"sub\":\"subject\",\"jti\":\"id-1\",\"aud\":[\"a\",\"b\"],"
            + "\"iat\":1700000000,\"nbf\":1700000001,\"exp\":1700000002,\"nested\":{\"k\":1}}";
    String token = HEADER + "." + b64(payloadJson) + "." + SIGNATURE;

    Jwt jwt = Jwt.parse(token);

    assertThat(jwt.token()).isEqualTo(token);
    assertThat(jwt.algorithm()).isEqualTo("RS256");
    assertThat(jwt.keyId()).isEqualTo("k1");
    assertThat(jwt.issuer()).isEqualTo("issuer");
    assertThat(jwt.subject()).isEqualTo("subject");
    assertThat(jwt.jwtId()).isEqualTo("id-1");
    assertThat(jwt.audiences()).containsExactly("a", "b");
    assertThat(jwt.issuedAt()).isEqualTo(1_700_000_000L);
    assertThat(jwt.notBefore()).isEqualTo(1_700_000_001L);
    assertThat(jwt.expiry()).isEqualTo(1_700_000_002L);
    assertThat(jwt.header().get("kid").textValue()).isEqualTo("k1");
    assertThat(jwt.payload().at("/nested/k").asLong()).isEqualTo(1);
    assertThat(jwt.headerSegment()).isEqualTo(HEADER);
    assertThat(jwt.payloadSegment()).isEqualTo(b64(payloadJson));
    assertThat(jwt.signatureSegment()).isEqualTo(SIGNATURE);
    assertThat(jwt.signature()).isEqualTo("signature-bytes".getBytes(UTF_8));
    assertThat(jwt.signingInput()).isEqualTo((HEADER + "." + b64(payloadJson)).getBytes(UTF_8));
  }

  @Test
  void absentClaimsReadAsNullZeroOrEmpty() throws JwtException {
    Jwt jwt = Jwt.parse(withPayload("{}"));

    assertThat(jwt.keyId()).isEqualTo("k1");
    assertThat(jwt.issuer()).isNull();
    assertThat(jwt.subject()).isNull();
    assertThat(jwt.jwtId()).isNull();
    assertThat(jwt.audiences()).isEmpty();
    assertThat(jwt.issuedAt()).isZero();
    assertThat(jwt.notBefore()).isZero();
    assertThat(jwt.expiry()).isZero();
    assertThat(Jwt.parse(b64("{\"alg\":\"RS256\"}") + "." + PAYLOAD + ".c2ln").keyId()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        "..",
        "...",
        "abc",
        "a.b",
        "a.b.",
        "a..b",
        ".a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        "Bearer",
      })
  void anythingButThreeNonEmptyPartsIsBadFormat(String token) {
    assertThat(statusOf(token)).isEqualTo(JwtStatus.JWT_BAD_FORMAT);
  }

  @Test
  void emptyPartsAreDroppedLikeEnvoyDoes() throws JwtException {
    // `h..p.s` splits into h, p, s; the signature then covers `h.p` as rebuilt.
    Jwt jwt = Jwt.parse("." + HEADER + ".." + PAYLOAD + "." + SIGNATURE + ".");

    assertThat(jwt.headerSegment()).isEqualTo(HEADER);
    assertThat(jwt.payloadSegment()).isEqualTo(PAYLOAD);
    assertThat(jwt.signingInput()).isEqualTo((HEADER + "." + PAYLOAD).getBytes(UTF_8));
  }

  @Test
  void oversizedTokenIsBadFormatWithoutBeingDecoded() throws JwtException {
    String filler = "{\"alg\":\"RS256\",\"x\":\"" + "a".repeat(60_000) + "\"}";
    String big = b64(filler) + "." + PAYLOAD + "." + SIGNATURE;
    assertThat(big.length()).isGreaterThan(Jwt.MAX_TOKEN_LENGTH);
    assertThat(statusOf(big)).isEqualTo(JwtStatus.JWT_BAD_FORMAT);

    int room = Jwt.MAX_TOKEN_LENGTH - (HEADER + "." + PAYLOAD + ".").length();
    // One base64 character alone is invalid; Abseil skips a space, so it can fill that slot.
    String signature = room % 4 == 1 ? "a".repeat(room - 1) + " " : "a".repeat(room);
    Jwt atTheLimit = Jwt.parse(HEADER + "." + PAYLOAD + "." + signature);
    assertThat(atTheLimit.token()).hasSize(Jwt.MAX_TOKEN_LENGTH);
  }

  @Test
  void headerBase64IsCheckedFirst() {
    assertThat(statusOf("a." + PAYLOAD + "." + SIGNATURE))
        .isEqualTo(JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_BASE64);
    assertThat(statusOf("ey+/." + PAYLOAD + "." + SIGNATURE))
        .isEqualTo(JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_BASE64);
    assertThat(statusOf("e$J9." + "!!!" + "." + "!!!"))
        .isEqualTo(JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_BASE64);
  }

  @Test
  void paddedSegmentsAreAccepted() throws JwtException {
    String header =
        java.util.Base64.getUrlEncoder().encodeToString("{\"alg\":\"HS384\" }".getBytes(UTF_8));
    assertThat(header).endsWith("=");

    assertThat(Jwt.parse(header + "." + PAYLOAD + "." + SIGNATURE).algorithm()).isEqualTo("HS384");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"[]", "\"RS256\"", "1", "true", "{", "{\"alg\":\"RS256\"} x", "{} {}", "nul", " "})
  void headerThatIsNotAJsonObjectIsBadJson(String header) {
    assertThat(statusOf(withHeader(header))).isEqualTo(JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON);
  }

  @Test
  void nullHeaderIsAnEmptyObjectWithoutAlg() {
    // protobuf reads the literal `null` as an empty Struct.
    assertThat(statusOf(withHeader("null"))).isEqualTo(JwtStatus.JWT_HEADER_BAD_ALG);
  }

  @Test
  void headerThatIsNotUtf8IsBadJson() {
    byte[] latin1 =
        "{\"alg\":\"RS256\",\"x\":\"\u00e9\"}"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(statusOf(b64(latin1) + "." + PAYLOAD + "." + SIGNATURE))
        .isEqualTo(JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON);
    assertThat(statusOf(withHeader("{\"alg\":\"RS256\",\"x\":\"\u00e9\"}")))
        .isEqualTo(JwtStatus.OK);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{}|JWT_HEADER_BAD_ALG",
        "{\"typ\":\"JWT\"}|JWT_HEADER_BAD_ALG",
        "{\"alg\":256}|JWT_HEADER_BAD_ALG",
        "{\"alg\":null}|JWT_HEADER_BAD_ALG",
        "{\"alg\":[\"RS256\"]}|JWT_HEADER_BAD_ALG",
        "{\"alg\":\"none\"}|JWT_HEADER_NOT_IMPLEMENTED_ALG",
        "{\"alg\":\"\"}|JWT_HEADER_NOT_IMPLEMENTED_ALG",
        "{\"alg\":\"rs256\"}|JWT_HEADER_NOT_IMPLEMENTED_ALG",
        "{\"alg\":\"RS1\"}|JWT_HEADER_NOT_IMPLEMENTED_ALG",
        "{\"alg\":\"ES256K\"}|JWT_HEADER_NOT_IMPLEMENTED_ALG",
        "{\"alg\":\"Ed25519\"}|JWT_HEADER_NOT_IMPLEMENTED_ALG",
        "{\"alg\":\"none\",\"kid\":1}|JWT_HEADER_NOT_IMPLEMENTED_ALG",
        "{\"alg\":\"RS256\",\"kid\":1}|JWT_HEADER_BAD_KID",
        "{\"alg\":\"RS256\",\"kid\":null}|JWT_HEADER_BAD_KID",
        "{\"alg\":\"RS256\",\"kid\":{}}|JWT_HEADER_BAD_KID",
        "{\"alg\":\"RS256\",\"kid\":\"\"}|OK",
        "{\"alg\":\"EdDSA\",\"crit\":[\"x\"],\"jku\":\"https://evil\",\"x5c\":[\"a\"]}|OK",
      })
  void headerFields(String header, JwtStatus expected) {
    assertThat(statusOf(withHeader(header))).isEqualTo(expected);
  }

  @Test
  void everyImplementedAlgorithmParses() {
    for (TestKeys.Alg alg : TestKeys.Alg.values()) {
      assertThat(statusOf(withHeader("{\"alg\":\"" + alg.name() + "\"}"))).isEqualTo(JwtStatus.OK);
    }
  }

  @Test
  void payloadIsCheckedAfterTheHeader() {
    assertThat(statusOf(b64("{\"alg\":\"none\"}") + ".!!!." + SIGNATURE))
        .isEqualTo(JwtStatus.JWT_HEADER_NOT_IMPLEMENTED_ALG);
    assertThat(statusOf(HEADER + ".!!!." + SIGNATURE))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_BASE64);
    assertThat(statusOf(HEADER + "." + b64("not json") + ".!!!"))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"claims\"", "42", "{\"iss\":\"a\"", "{\"a\":1,\"a\":2}", " "})
  void payloadThatIsNotAJsonObjectIsBadJson(String payload) {
    assertThat(statusOf(withPayload(payload)))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
  }

  @Test
  void nullPayloadIsAnEmptyClaimSet() throws JwtException {
    Jwt jwt = Jwt.parse(withPayload("null"));

    assertThat(jwt.payload()).isEmpty();
    assertThat(jwt.issuer()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"iss\":1}|JWT_PAYLOAD_PARSE_ERROR_ISS_NOT_STRING",
        "{\"iss\":null}|JWT_PAYLOAD_PARSE_ERROR_ISS_NOT_STRING",
        "{\"iss\":[\"a\"]}|JWT_PAYLOAD_PARSE_ERROR_ISS_NOT_STRING",
        "{\"sub\":true}|JWT_PAYLOAD_PARSE_ERROR_SUB_NOT_STRING",
        "{\"iat\":\"1700000000\"}|JWT_PAYLOAD_PARSE_ERROR_IAT_NOT_INTEGER",
        "{\"iat\":null}|JWT_PAYLOAD_PARSE_ERROR_IAT_NOT_INTEGER",
        "{\"iat\":-1}|JWT_PAYLOAD_PARSE_ERROR_IAT_OUT_OF_RANGE",
        "{\"iat\":-0.5}|JWT_PAYLOAD_PARSE_ERROR_IAT_OUT_OF_RANGE",
        "{\"nbf\":{}}|JWT_PAYLOAD_PARSE_ERROR_NBF_NOT_INTEGER",
        "{\"nbf\":18446744073709551616}|JWT_PAYLOAD_PARSE_ERROR_NBF_OUT_OF_RANGE",
        "{\"nbf\":18446744073709551615}|JWT_PAYLOAD_PARSE_ERROR_NBF_OUT_OF_RANGE",
        "{\"exp\":false}|JWT_PAYLOAD_PARSE_ERROR_EXP_NOT_INTEGER",
        "{\"exp\":1e20}|JWT_PAYLOAD_PARSE_ERROR_EXP_OUT_OF_RANGE",
        "{\"exp\":-1e-9}|JWT_PAYLOAD_PARSE_ERROR_EXP_OUT_OF_RANGE",
        "{\"exp\":1e400}|JWT_PAYLOAD_PARSE_ERROR_BAD_JSON",
        "{\"jti\":7}|JWT_PAYLOAD_PARSE_ERROR_JTI_NOT_STRING",
        "{\"aud\":7}|JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING",
        "{\"aud\":null}|JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING",
        "{\"aud\":{\"a\":\"b\"}}|JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING",
        "{\"aud\":[\"a\",1]}|JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING",
        "{\"aud\":[\"a\",null]}|JWT_PAYLOAD_PARSE_ERROR_AUD_NOT_STRING",
        "{\"aud\":[]}|OK",
        "{\"iat\":0,\"nbf\":0.999,\"exp\":-0.0}|OK",
        "{\"iss\":1,\"sub\":1,\"aud\":1}|JWT_PAYLOAD_PARSE_ERROR_ISS_NOT_STRING",
        "{\"aud\":1,\"sub\":1}|JWT_PAYLOAD_PARSE_ERROR_SUB_NOT_STRING",
        "{\"aud\":1,\"jti\":1,\"exp\":-1}|JWT_PAYLOAD_PARSE_ERROR_EXP_OUT_OF_RANGE",
        "{\"aud\":1,\"jti\":1,\"nbf\":\"x\",\"iat\":\"x\"}|JWT_PAYLOAD_PARSE_ERROR_IAT_NOT_INTEGER",
        "{\"aud\":1,\"jti\":1}|JWT_PAYLOAD_PARSE_ERROR_JTI_NOT_STRING",
        "{\"other\":{\"iss\":1},\"scope\":7,\"iss.x\":1}|OK",
      })
  void payloadClaimTypes(String payload, JwtStatus expected) {
    assertThat(statusOf(withPayload(payload))).isEqualTo(expected);
  }

  @Test
  void timesAreTruncatedDoubles() throws JwtException {
    Jwt jwt = Jwt.parse(withPayload("{\"iat\":1.9,\"nbf\":1e3,\"exp\":4685989700.75}"));

    assertThat(jwt.issuedAt()).isEqualTo(1);
    assertThat(jwt.notBefore()).isEqualTo(1000);
    assertThat(jwt.expiry()).isEqualTo(4_685_989_700L);
  }

  @Test
  void timesAtOrAbove2Pow63SaturateButStayValid() throws JwtException {
    // The largest double below 2^64 is inside Envoy's range.
    Jwt jwt = Jwt.parse(withPayload("{\"exp\":18446744073709549568,\"nbf\":9223372036854775808}"));

    assertThat(jwt.expiry()).isEqualTo(Long.MAX_VALUE);
    assertThat(jwt.notBefore()).isEqualTo(Long.MAX_VALUE);
    assertThat(JwtVerifier.verifyTime(jwt, 1_700_000_000L)).isEqualTo(JwtStatus.JWT_NOT_YET_VALID);
  }

  @Test
  void audienceStringBecomesAList() throws JwtException {
    assertThat(Jwt.parse(withPayload("{\"aud\":\"only\"}")).audiences()).containsExactly("only");
  }

  @ParameterizedTest
  @ValueSource(strings = {"!!!", "a", "abcde", "ab+/", "ab=c", "abc=="})
  void badSignatureBase64IsReportedLast(String signature) {
    assertThat(statusOf(HEADER + "." + PAYLOAD + "." + signature))
        .isEqualTo(JwtStatus.JWT_SIGNATURE_PARSE_ERROR_BAD_BASE64);
    assertThat(statusOf(HEADER + "." + b64("{\"jti\":1}") + "." + signature))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_JTI_NOT_STRING);
  }

  @Test
  void deeplyNestedHeaderAndPayloadFailCleanly() {
    // 40 000 levels still fit the token size cap; the depth limit stops reading at level 101.
    String deep = "[".repeat(40_000);
    assertThatCode(() -> statusOf(withHeader(deep))).doesNotThrowAnyException();
    assertThat(statusOf(withHeader(deep))).isEqualTo(JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON);
    assertThat(statusOf(withHeader("{\"alg\":\"RS256\",\"x\":" + deep)))
        .isEqualTo(JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON);
    assertThat(statusOf(withPayload("{\"a\":" + "{\"a\":".repeat(9_000))))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
  }

  @Test
  void nestingUpToOneHundredLevelsIsAccepted() {
    String ninetyNineArrays = "[".repeat(99) + "]".repeat(99);
    assertThat(statusOf(withPayload("{\"a\":" + ninetyNineArrays + "}"))).isEqualTo(JwtStatus.OK);
    String hundredArrays = "[".repeat(100) + "]".repeat(100);
    assertThat(statusOf(withPayload("{\"a\":" + hundredArrays + "}")))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
  }

  @Test
  void hugeNumbersFailCleanly() throws JwtException {
    String hugeInteger = "9".repeat(40_000);
    assertThat(statusOf(withPayload("{\"x\":" + hugeInteger + "}")))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    assertThat(statusOf(withPayload("{\"exp\":" + hugeInteger + "}")))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    // Long but finite: fine for protobuf, so fine here.
    Jwt tiny = Jwt.parse(withPayload("{\"exp\":0." + "0".repeat(30_000) + "1}"));
    assertThat(tiny.expiry()).isZero();
    assertThat(statusOf(withPayload("{\"exp\":1" + "0".repeat(30) + "}")))
        .isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_EXP_OUT_OF_RANGE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\u0000\u0001\u0002",
        "eyJ",
        "eyJhbGciOiJSUzI1NiJ9",
        "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        "\u00e9\u00e9\u00e9.\u00e9.\u00e9",
        "\ud83d\ude00.a.b",
      })
  void garbageNeverThrowsAnythingButJwtException(String token) {
    assertThatCode(() -> statusOf(token)).doesNotThrowAnyException();
    assertThat(statusOf(token)).isNotEqualTo(JwtStatus.OK);
  }

  @Test
  void whitespaceInsideSegmentsIsSkippedLikeAbseilDoes() throws JwtException {
    Jwt jwt =
        Jwt.parse(
            HEADER.substring(0, 4) + " \n" + HEADER.substring(4) + "." + PAYLOAD + "." + SIGNATURE);

    assertThat(jwt.algorithm()).isEqualTo("RS256");
  }

  @Test
  void lenientJsonIsAcceptedLikeProtobufLegacyMode() throws JwtException {
    Jwt jwt = Jwt.parse(withHeader("{alg:'RS256', 'kid':'k\\'1',}"));

    assertThat(jwt.algorithm()).isEqualTo("RS256");
    assertThat(jwt.keyId()).isEqualTo("k'1");
  }
}
