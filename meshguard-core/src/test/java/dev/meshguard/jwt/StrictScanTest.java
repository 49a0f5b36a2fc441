package dev.meshguard.jwt;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StrictScan}, the parser-free fast path: whatever it accepts, the full scan (Jackson with
 * {@link EnvoyJson}'s rules) accepts with the same members. Random documents, valid and mutated,
 * from a fixed seed.
 */
class StrictScanTest {
  private static final String[] WANTED = {"iss", "sub", "iat", "nbf", "exp", "jti", "aud"};
  private static final String[] NAMES = {"iss", "sub", "iat", "exp", "aud", "a", "b", "", "nbf"};
  private static final String[] NOISE = {
    ",", "}", "]", "{", "[", ":", "\"", "'", "\\", " ", "0", "-", ".", "e", "n", "\t", "\u0001"
  };

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"iss\":\"a\",\"aud\":[\"x\",\"y\"],\"exp\":1700000000}",
        "null",
        " {\n\"a\" : { \"b\" : [ 1 , 2.5 , -0 , 1e3 , true , false , null ] } }\r\n",
        "{\"iat\":-0,\"nbf\":123456789012345678,\"exp\":1234567890123456789012}",
        "{\"aud\":[]}",
        "{\"aud\":[\"a\",[\"b\"],{\"c\":1}]}",
      })
  void acceptsPlainJsonAsTheFullScanDoes(String json) throws Exception {
    assertThat(agrees(json)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1,}",
        "{'a':1}",
        "{a:1}",
        "{\"a\":\"\\u0041\"}",
        "{\"a\":\"\u0001\"}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":{\"b\":1,\"b\":1}}",
        "{\"a\":01}",
        "{\"a\":1e400}",
        "{\"a\":[1,]}",
        "{\"a\":1}x",
        "nullx",
        "[]",
      })
  void leavesEverythingElseToTheFullScan(String json) {
    byte[] bytes = json.getBytes(US_ASCII);
    assertThat(new StrictScan().scan(bytes, bytes.length, WANTED, new SegmentScan())).isFalse();
  }

  @Test
  void randomDocumentsNeverGetAnAnswerTheFullScanWouldNotGive() throws Exception {
    Random random = new Random(20261206);
    int accepted = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder doc = new StringBuilder();
      object(random, doc, 0);
      String json = doc.toString();
      if (random.nextInt(3) == 0) {
        json = mutate(random, json);
      }
      if (agrees(json)) {
        accepted++;
      }
    }
    // The valid two thirds are mostly accepted: the fast path is really exercised.
    assertThat(accepted).isGreaterThan(5_000);
  }

  /**
   * True when StrictScan accepted {@code json}; then asserts the full scan accepts it with the same
   * members.
   */
  private static boolean agrees(String json) throws Exception {
    byte[] bytes = json.getBytes(US_ASCII);
    SegmentScan fast = new SegmentScan();
    if (!new StrictScan().scan(bytes, bytes.length, WANTED, fast)) {
      return false;
    }
    assertThat(EnvoyJson.parseObject(json)).as(json).isNotNull();
    SegmentScan full = new SegmentScan();
    try (JsonParser parser = EnvoyJson.FACTORY.createParser(json)) {
      assertThat(full.scan(parser, false, WANTED)).as(json).isTrue();
    }
    for (int slot = 0; slot < WANTED.length; slot++) {
      assertThat(fast.kind(slot)).as(json).isEqualTo(full.kind(slot));
      assertThat(fast.text(slot)).as(json).isEqualTo(full.text(slot));
      if (full.kind(slot) == SegmentScan.Kind.NUMBER) {
        assertThat(Double.doubleToRawLongBits(fast.number(slot)))
            .as(json)
            .isEqualTo(Double.doubleToRawLongBits(full.number(slot)));
      }
    }
    assertThat(fast.stringArray()).as(json).isEqualTo(full.stringArray());
    return true;
  }

  private static void object(Random random, StringBuilder out, int depth) {
    out.append('{');
    int members = random.nextInt(depth == 0 ? 8 : 3);
    for (int i = 0; i < members; i++) {
      if (i > 0) {
        out.append(space(random)).append(',');
      }
      out.append(space(random))
          .append('"')
          .append(NAMES[random.nextInt(NAMES.length)])
          .append(random.nextInt(4) == 0 ? String.valueOf(i) : "")
          .append('"')
          .append(space(random))
          .append(':')
          .append(space(random));
      value(random, out, depth + 1);
    }
    out.append(space(random)).append('}');
  }

  private static void value(Random random, StringBuilder out, int depth) {
    switch (random.nextInt(depth > 4 ? 4 : 6)) {
      case 0 -> out.append('"').append(word(random)).append('"');
      case 1 -> out.append(numberText(random));
      case 2 -> out.append(new String[] {"true", "false", "null"}[random.nextInt(3)]);
      case 3 -> out.append('"').append(word(random)).append(' ').append('"');
      case 4 -> object(random, out, depth);
      default -> {
        out.append('[');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            out.append(',');
          }
          if (random.nextInt(4) == 0) {
            value(random, out, depth + 1);
          } else {
            out.append('"').append(word(random)).append('"');
          }
        }
        out.append(']');
      }
    }
  }

  private static String numberText(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> "-0";
      case 1 -> String.valueOf(random.nextLong());
      case 2 -> String.valueOf(random.nextInt(2_000_000_000));
      case 3 -> random.nextDouble() * 1e6 + "";
      case 4 -> "1e" + (random.nextInt(700) - 350);
      case 5 -> "9".repeat(1 + random.nextInt(25));
      case 6 -> "-" + "1".repeat(1 + random.nextInt(20)) + ".5E+2";
      default -> "1" + "0".repeat(random.nextInt(22));
    };
  }

  private static String word(Random random) {
    StringBuilder w = new StringBuilder();
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) {
      w.append((char) (0x21 + random.nextInt(0x5e)));
    }
    return w.toString().replace("\"", "q").replace("\\", "b");
  }

  private static String space(Random random) {
    return random.nextInt(4) == 0
        ? new String[] {" ", "\t", "\n", "\r", "  "}[random.nextInt(5)]
        : "";
  }

  private static String mutate(Random random, String json) {
    StringBuilder b = new StringBuilder(json);
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits && b.length() > 0; i++) {
      int at = random.nextInt(b.length());
      switch (random.nextInt(3)) {
        case 0 -> b.deleteCharAt(at);
        case 1 -> b.insert(at, NOISE[random.nextInt(NOISE.length)]);
        default -> b.setCharAt(at, NOISE[random.nextInt(NOISE.length)].charAt(0));
      }
    }
    return b.toString();
  }
}
