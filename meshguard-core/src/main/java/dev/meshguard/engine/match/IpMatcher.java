package dev.meshguard.engine.match;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * An {@code ipBlocks} / {@code remoteIpBlocks} / {@code source.ip} / {@code destination.ip} value:
 * a single address or a CIDR range, IPv4 or IPv6, matched as Envoy matches the {@code CidrRange}
 * istiod generates for it. Only literals are parsed; there is never a name lookup.
 *
 * <p>Accepted syntax is what istiod's validation accepts (Go {@code netip.ParseAddr} / {@code
 * ParsePrefix}): strict dotted quads, standard IPv6 text, a decimal prefix length without sign or
 * leading zero, at most 32 (IPv4) or 128 (IPv6). Host bits after the prefix are allowed and
 * ignored. Zones ({@code fe80::1%eth0}) are rejected: istiod's generator cannot parse them.
 *
 * <p>The range is then the one istiod and Envoy really enforce, quirks included:
 *
 * <ul>
 *   <li>A single address is /32 (IPv4) or /128 (IPv6), except that istiod picks /32 for any single
 *       value containing a dot, so an IPv6 literal with an embedded IPv4 part that is not
 *       IPv4-mapped ({@code ::1.2.3.4}, {@code 64:ff9b::1.2.3.4}) becomes an IPv6 /32 range ({@code
 *       ::/32}, {@code 64:ff9b::/32}) — far wider than the address.
 *   <li>An IPv4-mapped IPv6 value ({@code ::ffff:1.2.3.4}, with or without a prefix) is written by
 *       istiod as the IPv4 address with the original prefix length, which Envoy caps at 32: {@code
 *       ::ffff:1.2.3.4} is {@code 1.2.3.4/32}, {@code ::ffff:1.2.3.0/120} is {@code 1.2.3.0/32},
 *       and {@code ::ffff:1.2.3.4/16} is {@code 1.2.0.0/16}.
 * </ul>
 *
 * <p>Request addresses: an IPv4-mapped IPv6 address is compared as its IPv4 address (Java's {@code
 * InetAddress} already reports dual-stack IPv4 peers that way); a zone suffix is ignored; an
 * address of the other family never matches.
 */
public final class IpMatcher {

  private final String value;
  private final byte[] network;
  private final int prefixLength;

  private IpMatcher(String value, byte[] address, int prefixLength) {
    this.value = value;
    this.prefixLength = prefixLength;
    this.network = mask(address, prefixLength);
  }

  /**
   * Parses a policy value.
   *
   * @throws IllegalArgumentException {@code bad IP address `x`} or {@code bad CIDR range `x`: why}
   */
  public static IpMatcher parse(String value) {
    requireNonNull(value, "value");
    int slash = value.indexOf('/');
    if (slash < 0) {
      byte[] address = IpLiteral.parse(value);
      if (address == null) {
        throw new IllegalArgumentException("bad IP address `" + value + "`");
      }
      if (IpLiteral.isIpv4Mapped(address)) {
        return new IpMatcher(value, IpLiteral.lastFour(address), 32);
      }
      if (address.length == 16 && value.indexOf('.') >= 0) {
        return new IpMatcher(value, address, 32); // istiod's "contains a dot means IPv4" rule
      }
      return new IpMatcher(value, address, address.length * 8);
    }
    byte[] address = IpLiteral.parse(value.substring(0, slash));
    if (address == null) {
      throw badRange(value, "invalid address");
    }
    String bits = value.substring(slash + 1);
    int length = parsePrefixLength(bits);
    if (length < 0) {
      throw badRange(value, "invalid prefix length `" + bits + "`");
    }
    if (length > address.length * 8) {
      throw badRange(
          value,
          "prefix length " + length + " is longer than the " + address.length * 8 + "-bit address");
    }
    if (IpLiteral.isIpv4Mapped(address)) {
      return new IpMatcher(value, IpLiteral.lastFour(address), Math.min(length, 32));
    }
    return new IpMatcher(value, address, length);
  }

  /**
   * Whether the address literal falls in the range. Null, unparseable text and the other address
   * family give false.
   */
  public boolean matches(String ip) {
    if (ip == null) {
      return false;
    }
    int zone = ip.indexOf('%');
    byte[] address =
        IpLiteral.parse(zone >= 0 && ip.indexOf(':') >= 0 ? ip.substring(0, zone) : ip);
    if (address == null) {
      return false;
    }
    if (IpLiteral.isIpv4Mapped(address)) {
      address = IpLiteral.lastFour(address);
    }
    return address.length == network.length && Arrays.equals(mask(address, prefixLength), network);
  }

  /** The value as written in the policy. */
  public String value() {
    return value;
  }

  /** The range actually enforced, as {@code address/length} (see the class comment). */
  public String effectiveCidr() {
    return format(network) + "/" + prefixLength;
  }

  public int prefixLength() {
    return prefixLength;
  }

  public boolean isIpv4() {
    return network.length == 4;
  }

  @Override
  public String toString() {
    return effectiveCidr();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpMatcher other
        && other.prefixLength == prefixLength
        && Arrays.equals(other.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefixLength;
  }

  /** Decimal digits, no sign, no leading zero (Go 1.22+ {@code netip.ParsePrefix}); else -1. */
  private static int parsePrefixLength(String bits) {
    if (bits.isEmpty() || bits.length() > 3 || (bits.length() > 1 && bits.charAt(0) == '0')) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < bits.length(); i++) {
      char c = bits.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static byte[] mask(byte[] address, int length) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, length - i * 8));
      out[i] &= (byte) (0xff00 >> keep);
    }
    return out;
  }

  private static String format(byte[] address) {
    StringBuilder sb = new StringBuilder();
    if (address.length == 4) {
      for (int i = 0; i < 4; i++) {
        if (i > 0) {
          sb.append('.');
        }
        sb.append(address[i] & 0xff);
      }
      return sb.toString();
    }
    for (int i = 0; i < 16; i += 2) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(Integer.toHexString(((address[i] & 0xff) << 8) | (address[i + 1] & 0xff)));
    }
    return sb.toString();
  }

  private static IllegalArgumentException badRange(String value, String why) {
    return new IllegalArgumentException("bad CIDR range `" + value + "`: " + why);
  }
}
