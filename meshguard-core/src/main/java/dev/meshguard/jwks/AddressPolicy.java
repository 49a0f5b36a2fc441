package dev.meshguard.jwks;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which addresses a key fetch may connect to (SSRF protection, GHSA-fgw5-hp8f-xfhc). Checked on the
 * address actually dialled, after DNS, so a name that resolves to a metadata address is refused
 * too. Private ranges stay allowed: in-cluster JWKS endpoints live there.
 */
final class AddressPolicy {

  /** Host names of cloud metadata services, refused before any lookup. */
  private static final Set<String> METADATA_HOSTS =
      Set.of("metadata.google.internal", "metadata.goog", "metadata");

  /** Metadata addresses outside the link-local ranges (AWS IPv6, Alibaba Cloud). */
  private static final List<Cidr> METADATA_ADDRESSES =
      List.of(Cidr.parse("fd00:ec2::254/128"), Cidr.parse("100.100.100.200/32"));

  private static final List<Cidr> LINK_LOCAL =
      List.of(Cidr.parse("169.254.0.0/16"), Cidr.parse("fe80::/10"));

  private final boolean allowLinkLocal;
  private final List<Cidr> blocked;

  AddressPolicy(boolean allowLinkLocal, List<String> blockedCidrs) {
    this.allowLinkLocal = allowLinkLocal;
    List<Cidr> cidrs = new ArrayList<>();
    for (String cidr : blockedCidrs) {
      cidrs.add(Cidr.parse(cidr));
    }
    this.blocked = List.copyOf(cidrs);
  }

  static AddressPolicy of(RemoteJwksOptions options) {
    return new AddressPolicy(options.allowLinkLocal(), options.blockedCidrs());
  }

  /** Why {@code host} (a name from a URI or a ServiceEntry) is refused, or null. */
  String refuseHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (!allowLinkLocal && METADATA_HOSTS.contains(h)) {
      return "host `" + host + "` is a cloud metadata service";
    }
    return null;
  }

  /** Why {@code address} is refused, or null when it may be dialled. */
  String refuseAddress(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return "address `" + address.getHostAddress() + "` is unspecified";
    }
    if (!allowLinkLocal) {
      for (Cidr cidr : METADATA_ADDRESSES) {
        if (cidr.contains(address)) {
          return "address `" + address.getHostAddress() + "` is a cloud metadata service";
        }
      }
      if (address.isLinkLocalAddress() || LINK_LOCAL.stream().anyMatch(c -> c.contains(address))) {
        return "address `" + address.getHostAddress() + "` is link-local";
      }
    }
    for (Cidr cidr : blocked) {
      if (cidr.contains(address)) {
        return "address `" + address.getHostAddress() + "` is in blocked range `" + cidr + "`";
      }
    }
    return null;
  }

  /** An address range, IPv4 or IPv6. */
  static final class Cidr {
    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private Cidr(byte[] network, int prefixLength, String text) {
      this.network = network;
      this.prefixLength = prefixLength;
      this.text = text;
    }

    static Cidr parse(String text) {
      requireNonNull(text, "cidr");
      String trimmed = text.trim();
      int slash = trimmed.indexOf('/');
      String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
      byte[] bytes = literalBytes(addressPart);
      if (bytes == null) {
        throw new IllegalArgumentException("cidr `" + text + "`: not an ip address");
      }
      int prefix;
      try {
        prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("cidr `" + text + "`: bad prefix length", e);
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("cidr `" + text + "`: bad prefix length");
      }
      return new Cidr(bytes, prefix, trimmed);
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = prefixLength / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixLength % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      return text;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Cidr c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
      return text.hashCode();
    }
  }

  /** The bytes of an IP literal, or null when {@code s} is not one (never a DNS lookup). */
  static byte[] literalBytes(String s) {
    String t = s;
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    if (t.isEmpty()) {
      return null;
    }
    if (t.indexOf(':') >= 0) {
      // IPv6 literal: only hex digits, colons and dots (embedded IPv4); getByName then parses
      // without resolving.
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
          return null;
        }
      }
    } else {
      String[] parts = t.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
          return null;
        }
        if (Integer.parseInt(p) > 255) {
          return null;
        }
      }
    }
    try {
      return InetAddress.getByName(t).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The address of an IP literal, or null when {@code s} is a name. */
  static InetAddress literal(String s) {
    byte[] bytes = literalBytes(s);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
