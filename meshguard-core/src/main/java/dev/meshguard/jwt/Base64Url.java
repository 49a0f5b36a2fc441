package dev.meshguard.jwt;

/**
 * Base64url decoding with exactly the leniency of Abseil's {@code WebSafeBase64Unescape}, which
 * Envoy uses for every JWT segment and every JWK field.
 *
 * <p>Differences from {@link java.util.Base64#getUrlDecoder()} that decide whether Envoy accepts a
 * token, so they matter here: ASCII whitespace (space, \t, \n, \v, \f, \r) is skipped anywhere;
 * both {@code =} and {@code .} count as padding; padding may be absent or exactly complete (never
 * partial); unused low bits of the last character are ignored; {@code +} and {@code /} are
 * rejected; a dangling single character is rejected.
 */
final class Base64Url {
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

  private Base64Url() {}

  /** Decodes the whole string; null when Abseil would refuse it. */
  static byte[] decode(String text) {
    return decode(text, 0, text.length());
  }

  /** Decodes {@code text[start, end)}; null when Abseil would refuse it. */
  static byte[] decode(String text, int start, int end) {
    byte[] out = new byte[maxDecodedLength(start, end)];
    int length = decodeInto(text, start, end, out);
    if (length < 0) {
      return null;
    }
    return length == out.length ? out : java.util.Arrays.copyOf(out, length);
  }

  /** Room {@link #decodeInto} needs for {@code text[start, end)}. */
  static int maxDecodedLength(int start, int end) {
    return (end - start) / 4 * 3 + 2;
  }

  /**
   * Decodes {@code text[start, end)} into {@code out} (at least {@link #maxDecodedLength} long),
   * from index 0; the number of bytes, or -1 when Abseil would refuse the text.
   */
  static int decodeInto(String text, int start, int end, byte[] out) {
    int length = 0;
    int bits = 0;
    int pending = 0; // characters (0..3) accumulated in bits
    int i = start;
    for (; i < end; i++) {
      char c = text.charAt(i);
      int value = c < 128 ? VALUES[c] : -1;
      if (value >= 0) {
        bits = (bits << 6) | value;
        if (++pending == 4) {
          out[length++] = (byte) (bits >> 16);
          out[length++] = (byte) (bits >> 8);
          out[length++] = (byte) bits;
          bits = 0;
          pending = 0;
        }
      } else if (c == '=' || c == '.') {
        break;
      } else if (!isAsciiSpace(c)) {
        return -1;
      }
    }
    int expectedPadding;
    switch (pending) {
      case 0 -> expectedPadding = 0;
      case 2 -> {
        out[length++] = (byte) (bits >> 4);
        expectedPadding = 2;
      }
      case 3 -> {
        out[length++] = (byte) (bits >> 10);
        out[length++] = (byte) (bits >> 2);
        expectedPadding = 1;
      }
      default -> {
        return -1; // one character carries only 6 bits: not a byte
      }
    }
    // The rest may hold only whitespace and padding, and either no padding or exactly the amount
    // that completes the last quantum.
    int padding = 0;
    for (; i < end; i++) {
      char c = text.charAt(i);
      if (c == '=' || c == '.') {
        padding++;
      } else if (!isAsciiSpace(c)) {
        return -1;
      }
    }
    if (padding != 0 && padding != expectedPadding) {
      return -1;
    }
    return length;
  }

  private static boolean isAsciiSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
  }
}
