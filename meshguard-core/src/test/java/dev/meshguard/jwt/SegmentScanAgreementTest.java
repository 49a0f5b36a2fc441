package dev.meshguard.jwt;

import static dev.meshguard.jwt.TestKeys.b64;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Jwt#parse} reads header and payload with a streaming {@link SegmentScan}, and builds
 * {@link EnvoyJson} trees only on demand: both must accept exactly the same documents, or a token
 * would verify that Envoy refuses (or the reverse).
 */
class SegmentScanAgreementTest {
  private static final String HEADER = b64("{\"alg\":\"RS256\",\"kid\":\"k1\"}");
  private static final String PAYLOAD = b64("{\"iss\":\"issuer\"}");
  private static final String SIGNATURE = b64("signature-bytes");

  static Stream<String> documents() {
    StringBuilder manyKeys = new StringBuilder("{");
    for (int i = 0; i < 40; i++) {
      manyKeys.append("\"k").append(i).append("\":").append(i).append(',');
    }
    String many = manyKeys.toString();
    // The empty document is left out: its segment is empty, which Envoy drops (a bad format).
    Stream<String> own =
        Stream.of(
            // what the streaming pass tracks on its own: names per nested object, many names
            "{\"a\":{\"x\":1},\"b\":{\"x\":1}}",
            "{\"a\":[{\"x\":1},{\"x\":1}]}",
            "{\"a\":[{\"x\":1,\"x\":2}]}",
            "{\"a\":{\"b\":{\"c\":1,\"c\":1}}}",
            "{\"a\":{\"b\":1},\"a\":2}",
            "{\"iss\":\"x\",\"nested\":{\"iss\":1,\"aud\":[1]},\"aud\":[\"a\",\"b\"]}",
            "{\"aud\":[\"a\",[\"b\"]]}",
            "{\"aud\":[\"a\",{\"b\":1,\"b\":2}]}",
            "{\"aud\":[]}",
            many + "\"k39\":1}",
            many + "\"k99\":1}",
            // zero bytes: a byte-reading parser would guess UTF-16 from them
            "\u0000{\u0000}",
            "{\u0000}",
            "{\"a\":\"\u00e9\\u00e9\"}",
            "{\"a\":\"\\ud83d\\ude00\",\"\u00e9\":1}",
            "{\"a\":9" + "9".repeat(400) + "}",
            "{\"a\":" + "[".repeat(99) + "]".repeat(99) + "}",
            "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}");
    return Stream.of(
            EnvoyJsonTest.accepted(), EnvoyJsonTest.refused().filter(d -> !d.isEmpty()), own)
        .flatMap(d -> d);
  }

  @ParameterizedTest
  @MethodSource("documents")
  void payloadIsAcceptedExactlyWhenEnvoyJsonAcceptsIt(String json) throws JwtException {
    ObjectNode tree = EnvoyJson.parseObject(json);
    String token = HEADER + "." + b64(json) + "." + SIGNATURE;
    JwtException e = catchThrowableOfType(JwtException.class, () -> Jwt.parse(token));

    if (tree == null) {
      assertThat(e).isNotNull();
      assertThat(e.status()).isEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    } else if (e == null) {
      assertThat(Jwt.parse(token).payload()).isEqualTo(tree);
    } else {
      // accepted as JSON, refused for a registered claim of the wrong type
      assertThat(e.status()).isNotEqualTo(JwtStatus.JWT_PAYLOAD_PARSE_ERROR_BAD_JSON);
    }
  }

  @ParameterizedTest
  @MethodSource("documents")
  void headerIsAcceptedExactlyWhenEnvoyJsonAcceptsIt(String json) {
    ObjectNode tree = EnvoyJson.parseObject(json);
    String token = b64(json.getBytes(UTF_8)) + "." + PAYLOAD + "." + SIGNATURE;
    JwtException e = catchThrowableOfType(JwtException.class, () -> Jwt.parse(token));

    // None of these documents has a usable `alg`: every one fails, as bad JSON or as a bad alg.
    assertThat(e).isNotNull();
    assertThat(e.status())
        .isEqualTo(
            tree == null
                ? JwtStatus.JWT_HEADER_PARSE_ERROR_BAD_JSON
                : JwtStatus.JWT_HEADER_BAD_ALG);
  }
}
