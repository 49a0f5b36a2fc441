package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Headers that describe one connection and must not cross the proxy (RFC 9110 section 7.6.1), and
 * the client-sent internal headers Envoy strips from external requests.
 */
final class HopByHopHeaders {
  private static final List<CharSequence> FIXED =
      List.of(
          HttpHeaderNames.CONNECTION,
          HttpHeaderNames.KEEP_ALIVE,
          HttpHeaderNames.PROXY_CONNECTION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.UPGRADE);

  /**
   * Names a client may nominate in `Connection` that we still keep: removing them would change how
   * the message is framed or routed, which is a smuggling risk rather than a hop-by-hop courtesy.
   */
  private static final Set<String> PROTECTED = Set.of("host", "content-length");

  private HopByHopHeaders() {}

  /** Removes the fixed hop-by-hop headers and every header named in `Connection`. */
  static void remove(HttpHeaders headers) {
    List<String> nominated = new ArrayList<>(2);
    for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : value.split(",", -1)) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !PROTECTED.contains(name)) {
          nominated.add(name);
        }
      }
    }
    for (CharSequence name : FIXED) {
      headers.remove(name);
    }
    for (String name : nominated) {
      headers.remove(name);
    }
  }

  /**
   * Removes headers that only Envoy itself may set (`x-envoy-*`, e.g. `x-envoy-original-path`) and
   * the client-certificate header it sanitises by default (`x-forwarded-client-cert`). A client
   * that sends them must not influence the decision nor reach the upstream with them (security row
   * 17).
   */
  static void removeInternal(HttpHeaders headers) {
    List<String> internal = null;
    for (String name : headers.names()) {
      if (isInternal(name)) {
        if (internal == null) {
          internal = new ArrayList<>(2);
        }
        internal.add(name);
      }
    }
    if (internal != null) {
      for (String name : internal) {
        headers.remove(name);
      }
    }
  }

  static boolean isInternal(String name) {
    return name.regionMatches(true, 0, "x-envoy-", 0, 8)
        || name.equalsIgnoreCase("x-forwarded-client-cert");
  }
}
