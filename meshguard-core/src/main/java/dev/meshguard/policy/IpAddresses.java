package dev.meshguard.policy;

/**
 * Parses IP literals and CIDR ranges without touching DNS (unlike {@code InetAddress.getByName}),
 * accepting what Go's `netip.ParseAddr` and `netip.ParsePrefix` accept.
 */
final class IpAddresses {
  private IpAddresses() {}

  /** An IPv4 (4 bytes) or IPv6 (16 bytes) address, or null. IPv6 zones (`%eth0`) are allowed. */
  static byte[] parseAddress(String text) {
    return parse(text, true);
  }

  /** Null when {@code text} is a valid `addr/bits`, otherwise why it is not. */
  static String prefixError(String text) {
    int slash = text.lastIndexOf('/');
    if (slash < 0) {
      return "no `/` in prefix";
    }
    byte[] address = parse(text.substring(0, slash), false);
    if (address == null) {
      return "invalid address";
    }
    String bits = text.substring(slash + 1);
    if (bits.isEmpty()
        || bits.length() > 3
        || !bits.chars().allMatch(c -> c >= '0' && c <= '9')
        || (bits.length() > 1 && bits.charAt(0) == '0')) {
      return "bad bits after slash";
    }
    if (Integer.parseInt(bits) > address.length * 8) {
      return "prefix length out of range";
    }
    return null;
  }

  private static byte[] parse(String text, boolean allowZone) {
    if (text.isEmpty()) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return parseV4(text);
    }
    String address = text;
    int zone = text.indexOf('%');
    if (zone >= 0) {
      if (!allowZone || zone == text.length() - 1) {
        return null;
      }
      address = text.substring(0, zone);
    }
    return parseV6(address);
  }

  private static byte[] parseV4(String text) {
    byte[] bytes = new byte[4];
    int part = 0;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '.') {
        if (part >= 4 || i == start || i - start > 3) {
          return null;
        }
        String digits = text.substring(start, i);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')
            || (digits.length() > 1 && digits.charAt(0) == '0')) {
          return null; // Go refuses leading zeros: they used to mean octal.
        }
        int value = Integer.parseInt(digits);
        if (value > 255) {
          return null;
        }
        bytes[part++] = (byte) value;
        start = i + 1;
      }
    }
    return part == 4 ? bytes : null;
  }

  private static byte[] parseV6(String text) {
    int doubleColon = text.indexOf("::");
    if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
      return null;
    }
    String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
    String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
    byte[] headBytes = groups(head, doubleColon < 0);
    byte[] tailBytes = groups(tail, true);
    if (headBytes == null || tailBytes == null) {
      return null;
    }
    int total = headBytes.length + tailBytes.length;
    if (doubleColon < 0 ? total != 16 : total > 14) {
      return null;
    }
    byte[] bytes = new byte[16];
    System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
    System.arraycopy(tailBytes, 0, bytes, 16 - tailBytes.length, tailBytes.length);
    return bytes;
  }

  /** Colon-separated hex groups; the last may be dotted IPv4 when {@code v4Allowed}. */
  private static byte[] groups(String text, boolean v4Allowed) {
    if (text.isEmpty()) {
      return new byte[0];
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int start = 0;
    while (true) {
      int colon = text.indexOf(':', start);
      String group = colon < 0 ? text.substring(start) : text.substring(start, colon);
      if (colon < 0 && v4Allowed && group.indexOf('.') >= 0) {
        byte[] v4 = parseV4(group);
        if (v4 == null) {
          return null;
        }
        out.write(v4, 0, 4);
        break;
      }
      if (group.isEmpty() || group.length() > 4) {
        return null;
      }
      int value = 0;
      for (int i = 0; i < group.length(); i++) {
        int digit = Character.digit(group.charAt(i), 16);
        if (digit < 0) {
          return null;
        }
        value = value * 16 + digit;
      }
      out.write(value >> 8);
      out.write(value & 0xff);
      if (colon < 0) {
        break;
      }
      start = colon + 1;
    }
    return out.size() > 16 ? null : out.toByteArray();
  }
}
