package dev.meshguard.jwt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Base64Url}: Abseil's {@code WebSafeBase64Unescape}, leniency included. */
class Base64UrlTest {

  private static String decoded(String text) {
    byte[] bytes = Base64Url.decode(text);
    return bytes == null ? null : new String(bytes, UTF_8);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|''",
        "YQ|a",
        "YQ==|a",
        "YQ..|a",
        "YQ=.|a",
        "YWI|ab",
        "YWI=|ab",
        "YWJj|abc",
        "YR|a", // unused low bits are ignored
        "' Y W\tJ\nj '|abc",
        "'YQ= ='|a",
        "'YWI = '|ab",
      })
  void acceptsWhatAbseilAccepts(String input, String expected) {
    assertThat(decoded(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Y",
        "YWJjZ",
        "YQ=",
        "YQ===",
        "YWI==",
        "YWJj=",
        "YQ==YQ",
        "YQ=a",
        "ab+c",
        "ab/c",
        "a$bc",
        "YWJj\u00e9",
        "YWJj\u0000",
      })
  void refusesWhatAbseilRefuses(String input) {
    assertThat(Base64Url.decode(input)).isNull();
  }

  @Test
  void roundTripsAllByteValues() {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    for (int length = 0; length <= all.length; length += 7) {
      byte[] input = java.util.Arrays.copyOf(all, length);
      assertThat(Base64Url.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(input)))
          .isEqualTo(input);
      assertThat(Base64Url.decode(Base64.getUrlEncoder().encodeToString(input))).isEqualTo(input);
    }
  }

  @Test
  void decodesARange() {
    assertThat(Base64Url.decode("xxYWJjxx", 2, 6)).isEqualTo("abc".getBytes(UTF_8));
  }
}
