package dev.meshguard.proxy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Between Netty's view of HTTP/1 bytes and the engine's text. Netty hands the request line and
 * header values over one char per byte (ISO-8859-1) and writes header values back the same way; the
 * request target it writes as UTF-8. Envoy works on the bytes, and policies are UTF-8 text, so a
 * byte sequence is what it means in UTF-8: `/café` sent as UTF-8 is the path `/café`, whose
 * canonical form is `/caf%C3%A9` (not `/caf%C3%83%C2%A9`, the UTF-8 of each Latin-1 char).
 */
final class WireText {
  /** Invalid bytes become U+DC80..U+DCFF: they can never equal text from a policy. */
  private static final char ESCAPE_BASE = 0xDC00;

  private WireText() {}

  /** The bytes of {@code wire} (one char per byte) read as UTF-8; null if they are not UTF-8. */
  static String utf8OrNull(String wire) {
    if (isAscii(wire)) {
      return wire;
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return decoder.decode(ByteBuffer.wrap(bytes(wire))).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * The bytes of {@code wire} read as UTF-8, each byte that is not part of a valid sequence kept as
   * a lone surrogate (U+DC80 + byte): a header value Envoy would compare byte for byte still
   * compares unequal to any policy text, rather than turning into a Latin-1 look-alike.
   */
  static String utf8Lenient(String wire) {
    if (isAscii(wire)) {
      return wire;
    }
    byte[] in = bytes(wire);
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer src = ByteBuffer.wrap(in);
    CharBuffer out = CharBuffer.allocate(in.length);
    while (true) {
      var result = decoder.decode(src, out, true);
      if (result.isUnderflow()) {
        decoder.flush(out);
        break;
      }
      if (!result.isError()) {
        break; // overflow cannot happen: never more chars than bytes
      }
      for (int i = 0; i < result.length(); i++) {
        out.put((char) (ESCAPE_BASE | (src.get() & 0xFF)));
      }
    }
    out.flip();
    return out.toString();
  }

  /**
   * The bytes of {@code wire} as text for a log line: UTF-8 where they are UTF-8, each other byte
   * as `%XX`, so the line says what was received and every character of it can be written.
   */
  static String forLog(String wire) {
    String lenient = utf8Lenient(wire);
    StringBuilder sb = null;
    for (int i = 0; i < lenient.length(); i++) {
      char c = lenient.charAt(i);
      boolean escaped = c >= ESCAPE_BASE + 0x80 && c <= ESCAPE_BASE + 0xFF;
      if (escaped && sb == null) {
        sb = new StringBuilder(lenient.length() + 8).append(lenient, 0, i);
      }
      if (escaped) {
        int b = c & 0xFF;
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? lenient : sb.toString();
  }

  /**
   * Text as Netty's header encoder must be given it to put its UTF-8 bytes on the wire: one char
   * per byte.
   */
  static String headerBytes(String text) {
    if (isAscii(text)) {
      return text;
    }
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(String wire) {
    byte[] b = new byte[wire.length()];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) wire.charAt(i);
    }
    return b;
  }
}
