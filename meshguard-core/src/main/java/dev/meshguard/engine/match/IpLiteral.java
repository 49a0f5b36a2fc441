package dev.meshguard.engine.match;

/**
 * Parses IP address literals into bytes without any name lookup. The syntax is Go's {@code
 * netip.ParseAddr} (what istiod validates with): IPv4 as exactly four decimal octets without
 * leading zeros; IPv6 as up to eight groups of 1-4 hex digits with at most one {@code ::} that
 * stands for at least one zero group, optionally ending in a dotted IPv4 part. Zones ({@code
 * %eth0}) are not accepted here.
 */
final class IpLiteral {

  private IpLiteral() {}

  /** 4 or 16 bytes, or null when the text is not a literal. */
  static byte[] parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s, 0);
  }

  static byte[] parseV4(String s, int from) {
    byte[] out = new byte[4];
    int field = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (digits > 0 && value == 0) {
          return null; // leading zero
        }
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) {
          return null;
        }
      } else if (c == '.') {
        if (digits == 0 || field == 3) {
          return null;
        }
        out[field++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return null;
      }
    }
    if (digits == 0 || field != 3) {
      return null;
    }
    out[3] = (byte) value;
    return out;
  }

  static byte[] parseV6(String s) {
    byte[] out = new byte[16];
    int n = s.length();
    int i = 0; // bytes written
    int ellipsis = -1; // byte index where "::" stands
    int p = 0;
    if (s.startsWith("::")) {
      ellipsis = 0;
      p = 2;
      if (p == n) {
        return out;
      }
    }
    while (p < n) {
      int start = p;
      int value = 0;
      while (p < n && Character.digit(asciiOrZero(s.charAt(p)), 16) >= 0) {
        value = value * 16 + Character.digit(s.charAt(p), 16);
        p++;
        if (p - start > 4) {
          return null;
        }
      }
      if (p == start) {
        return null;
      }
      if (p < n && s.charAt(p) == '.') {
        // Dotted IPv4 in the last 32 bits.
        if ((ellipsis < 0 && i != 12) || i + 4 > 16) {
          return null;
        }
        byte[] v4 = parseV4(s, start);
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, i, 4);
        i += 4;
        break;
      }
      out[i++] = (byte) (value >> 8);
      out[i++] = (byte) value;
      if (p == n) {
        break;
      }
      if (s.charAt(p) != ':') {
        return null;
      }
      p++;
      if (p == n) {
        return null; // trailing single colon
      }
      if (s.charAt(p) == ':') {
        if (ellipsis >= 0) {
          return null;
        }
        ellipsis = i;
        p++;
        if (p == n) {
          break;
        }
      }
      if (i == 16) {
        return null;
      }
    }
    if (i < 16) {
      if (ellipsis < 0) {
        return null;
      }
      int tail = i - ellipsis;
      System.arraycopy(out, ellipsis, out, 16 - tail, tail);
      java.util.Arrays.fill(out, ellipsis, 16 - tail, (byte) 0);
    } else if (ellipsis >= 0) {
      return null; // "::" must stand for at least one group
    }
    return out;
  }

  /** True for {@code ::ffff:a.b.c.d}. */
  static boolean isIpv4Mapped(byte[] address) {
    if (address.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
  }

  static byte[] lastFour(byte[] address) {
    return java.util.Arrays.copyOfRange(address, 12, 16);
  }

  private static char asciiOrZero(char c) {
    return c < 0x80 ? c : 0;
  }
}
