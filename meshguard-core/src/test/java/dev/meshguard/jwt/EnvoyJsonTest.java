package dev.meshguard.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link EnvoyJson}: protobuf's legacy-mode JSON reading into a Struct. */
class EnvoyJsonTest {

  /**
   * Documents protobuf's legacy JSON mode accepts (also read by {@link SegmentScanAgreementTest}).
   */
  static Stream<String> accepted() {
    return Stream.of(
        "{}",
        " \t\r\n{ } \n",
        "null",
        "{\"a\":[1,2,],}",
        "{'a':'b'}",
        "{\"a\":'it\\'s'}",
        "{a_1:1}",
        "{_:1}",
        "{A9 : 1, b\t:2}",
        "{a:'x:y',\"c:d\":1,'e:f':2}",
        "{\"a\":\"b\" , c : 2}",
        "{\"a\":\"line\nbreak\u0001\"}",
        "{\"a\":\"\\ud83d\\ude00\"}",
        "{\"a\":-0,\"b\":1e-400,\"c\":1.5E+3}",
        "{\"a\":{\"a\":{\"a\":null}}}");
  }

  /** Documents protobuf refuses (also read by {@link SegmentScanAgreementTest}). */
  static Stream<String> refused() {
    return Stream.of(
        "",
        "   ",
        "[]",
        "\"s\"",
        "1",
        "true",
        "nul",
        "nullx",
        "null null",
        "{} {}",
        "{}x",
        "{",
        "{\"a\":}",
        "{\"a\":1,,}",
        "{\"a\":[,]}",
        "{,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1,\"a\":1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":+1}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":1e400}",
        "{\"a\":-1e400}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00\\ud800\"}",
        "{\"\\ud800\":1}",
        "{\"a\":\"\\x41\"}",
        "{/*c*/}",
        "{1a:1}",
        "{$a:1}",
        "{a-b:1}",
        "{a.b:1}",
        "{\u00e9:1}",
        "{null:1}",
        "{true:1}",
        "{\"a\":{false:1}}",
        "\ufeff{}");
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void acceptsWhatProtobufLegacyModeAccepts(String json) {
    assertThat(EnvoyJson.parseObject(json)).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusesWhatProtobufRefuses(String json) {
    assertThat(EnvoyJson.parseObject(json)).isNull();
  }

  @Test
  void nullIsAnEmptyObject() {
    assertThat(EnvoyJson.parseObject("null")).isEmpty();
  }

  @Test
  void numbersAreDoublesKeptAsLongsWhenIntegral() {
    ObjectNode object =
        EnvoyJson.parseObject(
            "{\"i\":1532389700,\"f\":1.5,\"e\":1e3,\"big\":12345678901234567890,\"neg\":-7}");

    assertThat(object.get("i").isLong()).isTrue();
    assertThat(object.get("i").longValue()).isEqualTo(1_532_389_700L);
    assertThat(object.get("f").doubleValue()).isEqualTo(1.5);
    assertThat(object.get("e").longValue()).isEqualTo(1000);
    assertThat(object.get("big").isDouble()).isTrue();
    assertThat(object.get("big").doubleValue()).isEqualTo(1.2345678901234567e19);
    assertThat(object.get("neg").longValue()).isEqualTo(-7);
  }

  @Test
  void depthLimitIsProtobufsHundredLevels() {
    String hundred = "{\"a\":".repeat(99) + "{}" + "}".repeat(99);
    String hundredOne = "{\"a\":".repeat(100) + "{}" + "}".repeat(100);

    assertThat(EnvoyJson.parseObject(hundred)).isNotNull();
    assertThat(EnvoyJson.parseObject(hundredOne)).isNull();
  }

  @Test
  void pathologicalInputFailsCleanly() {
    assertThatCode(() -> EnvoyJson.parseObject("[".repeat(100_000))).doesNotThrowAnyException();
    assertThat(EnvoyJson.parseObject("[".repeat(100_000))).isNull();
    assertThat(EnvoyJson.parseObject("{\"a\":" + "[".repeat(100_000))).isNull();
    assertThat(EnvoyJson.parseObject("{\"a\":" + "{\"a\":".repeat(100_000))).isNull();
    assertThat(EnvoyJson.parseObject("{\"a\":" + "9".repeat(100_000) + "}")).isNull();
    assertThat(EnvoyJson.parseObject("{\"a\":0." + "0".repeat(100_000) + "1}")).isNotNull();
  }
}
