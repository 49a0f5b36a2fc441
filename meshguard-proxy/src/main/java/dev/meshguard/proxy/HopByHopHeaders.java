package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /**
   * Connection options that are not header names (Envoy skips them when removing nominated headers,
   * but counts them towards the limit).
   */
  private static final Set<String> OPTIONS =
      Set.of("close", "keep-alive", "upgrade", "http2-settings");

  /**
   * Headers whose removal would hide where the request came from: Envoy refuses a request that
   * nominates them (`Utility::sanitizeConnectionHeader`, after "abusing HTTP hop-by-hop request
   * headers").
   */
  private static final Set<String> NOT_NOMINABLE =
      Set.of("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto");

  /** Envoy refuses ten or more `Connection` tokens. */
  private static final int MAX_CONNECTION_TOKENS = 10;

  private HopByHopHeaders() {}

  /**
   * Removes the fixed hop-by-hop headers and every header named in `Connection`, before anything
   * decides on the headers, so that the engine sees what the upstream gets (a nominated
   * `authorization` is gone for both, as in Envoy, whose codec removes it first).
   *
   * @throws RequestRejected 400 as Envoy for ten or more `Connection` tokens, or a nominated
   *     `x-forwarded-for`/`-host`/`-proto` or pseudo-header
   */
  static void removeFromRequest(HttpHeaders headers) throws RequestRejected {
    List<String> tokens = connectionTokens(headers);
    if (tokens.size() >= MAX_CONNECTION_TOKENS) {
      throw RequestRejected.badRequest("too many `Connection` tokens");
    }
    for (String name : tokens) {
      if (NOT_NOMINABLE.contains(name) || name.startsWith(":")) {
        throw RequestRejected.badRequest("invalid nominated header in `Connection`");
      }
    }
    removeNominated(headers, tokens);
  }

  /** Removes the fixed hop-by-hop headers and every header named in `Connection` (responses). */
  static void remove(HttpHeaders headers) {
    removeNominated(headers, connectionTokens(headers));
  }

  private static List<String> connectionTokens(HttpHeaders headers) {
    if (!headers.contains(HttpHeaderNames.CONNECTION)) {
      return List.of();
    }
    List<String> tokens = new ArrayList<>(2);
    for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : value.split(",", -1)) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty()) {
          tokens.add(name);
        }
      }
    }
    return tokens;
  }

  private static void removeNominated(HttpHeaders headers, List<String> tokens) {
    for (CharSequence name : FIXED) {
      headers.remove(name);
    }
    for (String name : tokens) {
      if (!PROTECTED.contains(name) && !OPTIONS.contains(name)) {
        headers.remove(name);
      }
    }
  }

  /**
   * Removes headers that only Envoy itself may set (`x-envoy-*`, e.g. `x-envoy-original-path`). A
   * client that sends them must not influence the decision nor reach the upstream with them
   * (security row 17). `x-forwarded-client-cert` is left to {@link ForwardClientCert}, which
   * removes it too unless configured to forward it over mTLS.
   */
  static void removeInternal(HttpHeaders headers) {
    List<CharSequence> internal = null;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      CharSequence name = it.next().getKey();
      if (isInternal(name)) {
        if (internal == null) {
          internal = new ArrayList<>(2);
        }
        internal.add(name);
      }
    }
    if (internal != null) {
      for (CharSequence name : internal) {
        headers.remove(name);
      }
    }
  }

  static boolean isInternal(CharSequence name) {
    return AsciiString.regionMatches(name, true, 0, "x-envoy-", 0, 8);
  }
}
