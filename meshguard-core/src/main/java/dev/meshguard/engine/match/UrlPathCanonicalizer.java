package dev.meshguard.engine.match;

/**
 * Envoy's {@code normalize_path}: the path canonicalisation of Chromium's URL library (googleurl,
 * {@code url::CanonicalizePath}) that Envoy calls from {@code PathUtil::canonicalPath}. Written
 * from its observable behaviour, one pass over the input:
 *
 * <ul>
 *   <li>a leading {@code /} is added when the input does not start with a slash;
 *   <li>{@code \} is a slash: it is written as {@code /} and ends dot segments;
 *   <li>{@code .} and {@code %2e}/{@code %2E} are dots; {@code .} and {@code ..} segments are
 *       resolved (RFC 3986 5.2.4) and never climb above the leading slash; dots that are part of a
 *       longer segment are written as {@code .} (so {@code %2e} is always decoded);
 *   <li>{@code %XX} escapes of {@code - 0-9 A-Z _ a-z ~} are decoded; every other valid escape is
 *       kept with its original hex case; {@code %00} makes the path invalid;
 *   <li>a {@code %} that does not start a valid escape is kept, and if decoding later makes it look
 *       like an escape ({@code %%30%30}) it is written as {@code %25} so a second canonicalisation
 *       cannot decode it;
 *   <li>characters that may not appear in a path ({@code " < > ^ ` { | }}, controls, space,
 *       non-ASCII as UTF-8) are percent-encoded with upper-case hex.
 * </ul>
 *
 * <p>Slashes are never merged here. The input must not contain the query.
 */
final class UrlPathCanonicalizer {

  /** Copy as is. */
  private static final byte PASS = 0;

  /** Needs a look: dots, {@code %}, {@code \} and everything escaped. */
  private static final byte SPECIAL = 1;

  /** Written percent-encoded. */
  private static final byte ESCAPE = 2 | SPECIAL;

  /** Decoded when it arrives percent-encoded. */
  private static final byte UNESCAPE = 4;

  /** Fails the whole path (only NUL). */
  private static final byte INVALID = 8 | SPECIAL;

  private static final byte[] FLAGS = new byte[128];

  static {
    java.util.Arrays.fill(FLAGS, PASS);
    for (int c = 0; c < 0x20; c++) {
      FLAGS[c] = ESCAPE;
    }
    FLAGS[0] = INVALID;
    FLAGS[0x7f] = ESCAPE;
    for (char c : " \"#%<>?\\^`{|}".toCharArray()) {
      FLAGS[c] = ESCAPE;
    }
    FLAGS['.'] = SPECIAL;
    for (char c = '0'; c <= '9'; c++) {
      FLAGS[c] = UNESCAPE;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      FLAGS[c] = UNESCAPE;
      FLAGS[c + ('a' - 'A')] = UNESCAPE;
    }
    FLAGS['-'] = UNESCAPE;
    FLAGS['_'] = UNESCAPE;
    FLAGS['~'] = UNESCAPE;
    // Everything else in 0x21..0x7e (! $ & ' ( ) * + , / : ; = @ [ ]) stays PASS.
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private UrlPathCanonicalizer() {}

  /** The canonical path, or null when Envoy would reject it (an encoded NUL, broken UTF-16). */
  static String canonicalize(String in) {
    int end = in.length();
    StringBuilder out = new StringBuilder(end + 8);
    if (end == 0 || !isSlash(in.charAt(0))) {
      out.append('/');
    }
    boolean success = true;
    // Index in `out` of a '%' that did not start a valid escape, or -1.
    int lastInvalidPercent = -1;
    for (int i = 0; i < end; i++) {
      char c = in.charAt(i);
      if (c >= 0x80) {
        int codePoint = c;
        if (Character.isHighSurrogate(c)
            && i + 1 < end
            && Character.isLowSurrogate(in.charAt(i + 1))) {
          codePoint = Character.toCodePoint(c, in.charAt(++i));
        } else if (Character.isSurrogate(c)) {
          success = false;
          codePoint = 0xfffd;
        }
        appendUtf8Escaped(out, codePoint);
        continue;
      }
      byte flags = FLAGS[c];
      if ((flags & SPECIAL) == 0) {
        out.append(c);
        continue;
      }
      int dotLength = dotLength(in, i, end);
      if (dotLength > 0) {
        if (out.charAt(out.length() - 1) == '/') {
          int afterDot = i + dotLength;
          if (afterDot == end) {
            i = end - 1; // "." at the end: the current directory, nothing to write
          } else if (isSlash(in.charAt(afterDot))) {
            i = afterDot; // "./": skip both
          } else {
            int secondDot = dotLength(in, afterDot, end);
            int afterSecond = afterDot + secondDot;
            if (secondDot > 0 && (afterSecond == end || isSlash(in.charAt(afterSecond)))) {
              backUpToPreviousSlash(out);
              if (lastInvalidPercent >= out.length()) {
                lastInvalidPercent = -1;
              }
              i = afterSecond == end ? end - 1 : afterSecond;
            } else {
              out.append('.'); // a name that starts with a dot
              i += dotLength - 1;
            }
          }
        } else {
          out.append('.');
          i += dotLength - 1;
        }
      } else if (c == '\\') {
        out.append('/');
      } else if (c == '%') {
        int value = decodeEscape(in, i, end);
        if (value >= 0) {
          i += 2;
          byte valueFlags = value < 0x80 ? FLAGS[value] : ESCAPE;
          if ((valueFlags & UNESCAPE) != 0) {
            out.append((char) value);
            if (lastInvalidPercent >= 0 && lastInvalidPercent + 3 >= out.length()) {
              escapeNestedEscape(in, i + 1, end, lastInvalidPercent, out);
            }
          } else {
            out.append('%').append(in.charAt(i - 1)).append(in.charAt(i));
            if (valueFlags == INVALID) {
              success = false;
            }
          }
        } else {
          lastInvalidPercent = out.length();
          out.append('%');
        }
      } else {
        appendEscaped(out, c);
        if (flags == INVALID) {
          success = false;
        }
      }
    }
    return success ? out.toString() : null;
  }

  static boolean isSlash(char c) {
    return c == '/' || c == '\\';
  }

  /** 1 for {@code .}, 3 for {@code %2e} / {@code %2E}, else 0. */
  private static int dotLength(String in, int i, int end) {
    char c = in.charAt(i);
    if (c == '.') {
      return 1;
    }
    if (c == '%' && i + 3 <= end && in.charAt(i + 1) == '2') {
      char e = in.charAt(i + 2);
      if (e == 'e' || e == 'E') {
        return 3;
      }
    }
    return 0;
  }

  /** The byte value of a valid {@code %XX} at {@code i}, or -1. */
  private static int decodeEscape(CharSequence in, int i, int end) {
    if (i + 3 > end) {
      return -1;
    }
    int high = Character.digit(asciiOrZero(in.charAt(i + 1)), 16);
    int low = Character.digit(asciiOrZero(in.charAt(i + 2)), 16);
    if (high < 0 || low < 0) {
      return -1;
    }
    return high * 16 + low;
  }

  private static char asciiOrZero(char c) {
    // Character.digit also accepts non-ASCII digits (fullwidth, Arabic-Indic); escapes may not.
    return c < 0x80 ? c : 0;
  }

  /**
   * Removes the last segment: {@code out} ends with '/', and afterwards ends with the slash before
   * it, never going above the first character.
   */
  private static void backUpToPreviousSlash(StringBuilder out) {
    int i = out.length() - 1;
    if (i == 0) {
      return;
    }
    do {
      i--;
    } while (out.charAt(i) != '/' && i > 0);
    out.setLength(i + 1);
  }

  /**
   * Called right after decoding a character within two positions of an earlier stray {@code %}. If
   * the stray {@code %} and what follows it now read as a valid escape, its {@code %} becomes
   * {@code %25}, so that canonicalising the output again does not decode something new.
   */
  private static void escapeNestedEscape(
      String in, int nextInput, int end, int strayPercent, StringBuilder out) {
    int length = out.length();
    char lastDecoded = out.charAt(length - 1);
    boolean peekNext = strayPercent == length - 2;
    if (peekNext) {
      if (nextInput == end || in.charAt(nextInput) >= 0x80) {
        return;
      }
      // Borrow the next input character; the main loop still processes it.
      out.append(in.charAt(nextInput));
    }
    if (decodeEscape(out, strayPercent, out.length()) >= 0) {
      if (!peekNext) {
        out.append(out.charAt(strayPercent + 1));
      }
      out.setCharAt(strayPercent + 1, '2');
      out.setCharAt(strayPercent + 2, '5');
      out.append(lastDecoded);
    } else if (peekNext) {
      out.setLength(length);
    }
  }

  private static void appendEscaped(StringBuilder out, int b) {
    out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
  }

  private static void appendUtf8Escaped(StringBuilder out, int codePoint) {
    if (codePoint < 0x800) {
      appendEscaped(out, 0xc0 | (codePoint >> 6));
    } else if (codePoint < 0x10000) {
      appendEscaped(out, 0xe0 | (codePoint >> 12));
      appendEscaped(out, 0x80 | ((codePoint >> 6) & 0x3f));
    } else {
      appendEscaped(out, 0xf0 | (codePoint >> 18));
      appendEscaped(out, 0x80 | ((codePoint >> 12) & 0x3f));
      appendEscaped(out, 0x80 | ((codePoint >> 6) & 0x3f));
    }
    appendEscaped(out, 0x80 | (codePoint & 0x3f));
  }
}
