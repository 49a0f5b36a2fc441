package dev.meshguard.cli;

import java.net.InetSocketAddress;

/** Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (all interfaces) for listen options. */
final class ListenAddress {
  private ListenAddress() {}

  static InetSocketAddress parse(String option, String value) {
    String v = value.trim();
    String host;
    String port;
    if (v.startsWith("[")) {
      int end = v.indexOf(']');
      if (end < 0 || end + 1 >= v.length() || v.charAt(end + 1) != ':') {
        throw new IllegalArgumentException(option + ": `" + value + "` is not [IPv6]:PORT");
      }
      host = v.substring(1, end);
      port = v.substring(end + 2);
    } else {
      int colon = v.lastIndexOf(':');
      host = colon < 0 ? "" : v.substring(0, colon);
      port = colon < 0 ? v : v.substring(colon + 1);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": `" + value + "` has no valid port");
    }
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException(option + ": port in `" + value + "` is out of range");
    }
    return host.isEmpty() ? new InetSocketAddress(p) : new InetSocketAddress(host, p);
  }

  /** A URL base for the address, with a wildcard host shown as loopback (for printed commands). */
  static String url(String scheme, InetSocketAddress a) {
    String host =
        a.getAddress() == null || a.getAddress().isAnyLocalAddress()
            ? "127.0.0.1"
            : a.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return scheme + "://" + host + ":" + a.getPort();
  }
}
