package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireTextTest {
  private static String wire(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  @Test
  void bytesAreReadAsUtf8() {
    assertThat(WireText.utf8OrNull(wire("/café/日本/😀"))).isEqualTo("/café/日本/😀");
    assertThat(WireText.utf8OrNull("/plain")).isEqualTo("/plain");
    assertThat(WireText.utf8OrNull("/caf\u00e9")).as("a lone Latin-1 byte").isNull();
    assertThat(WireText.utf8OrNull("\u00c0\u00af")).as("overlong `/`").isNull();
    assertThat(WireText.utf8OrNull("\u00ed\u00a0\u0080")).as("an encoded surrogate").isNull();
  }

  @Test
  void lenientReadingKeepsBytesThatAreNotUtf8AsLoneSurrogates() {
    assertThat(WireText.utf8Lenient(wire("José"))).isEqualTo("José");
    assertThat(WireText.utf8Lenient("a\u00ffb\u00c3")).isEqualTo("a\udcffb\udcc3");
    assertThat(WireText.utf8Lenient("\u00e9" + wire("é"))).isEqualTo("\udce9é");
  }

  @Test
  void headerBytesAreUtf8OneCharPerByte() {
    assertThat(WireText.headerBytes("José")).isEqualTo(wire("José"));
    assertThat(WireText.headerBytes("plain")).isEqualTo("plain");
  }
}
