package dev.meshguard.proxy;

import java.util.Locale;

/**
 * The request target as Envoy's HTTP/1 codec accepts it, turned into the text the engine decides
 * on. The engine's path normaliser then plays Envoy's connection manager on it (asterisk-form and
 * `http://h?x` → 404, canonicalisation, `%00` → 400), so `check --path` given the same target
 * agrees with `serve`.
 *
 * @param text the target as text: raw bytes read as UTF-8, otherwise exactly as received (an
 *     absolute-form target stays absolute-form)
 * @param authority the authority of an absolute-form target (which replaces `Host`), else null
 */
record RequestTarget(String text, String authority) {

  /**
   * Characters of an authority (RFC 3986 reg-name, IP-literal, port). http_parser refuses others,
   * and the value becomes the `Host` header forwarded upstream.
   */
  private static final String AUTHORITY_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=:[]";

  /**
   * Checks a target as Netty decoded it (one char per byte).
   *
   * @throws RequestRejected 400 for what Envoy's codec refuses: control characters or spaces, bytes
   *     that are not UTF-8 (a divergence under `NONE`, see known-divergences), CONNECT, `*` with
   *     another method than OPTIONS, an absolute-form target with another scheme than http(s), an
   *     empty or invalid authority or user info, and anything else not starting with `/`
   */
  static RequestTarget parse(String method, String wire) throws RequestRejected {
    if (wire.isEmpty()) {
      throw RequestRejected.badRequest("empty request target");
    }
    for (int i = 0; i < wire.length(); i++) {
      char c = wire.charAt(i);
      if (c <= 0x20 || c == 0x7f) {
        throw RequestRejected.badRequest("request target contains a control character or space");
      }
    }
    String text = WireText.utf8OrNull(wire);
    if (text == null) {
      throw RequestRejected.badRequest("request target is not valid UTF-8");
    }
    if (method.equals("CONNECT")) {
      throw RequestRejected.badRequest("CONNECT is not supported");
    }
    if (text.charAt(0) == '/') {
      return new RequestTarget(text, null);
    }
    if (text.equals("*")) {
      if (!method.equals("OPTIONS")) {
        throw RequestRejected.badRequest("asterisk-form request target with " + method);
      }
      return new RequestTarget(text, null);
    }
    int schemeEnd = text.indexOf("://");
    if (schemeEnd < 0) {
      throw RequestRejected.badRequest("request target must start with `/`");
    }
    String scheme = text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw RequestRejected.badRequest(
          "absolute-form request target with a scheme other than http(s)");
    }
    int start = schemeEnd + 3;
    int end = start;
    while (end < text.length() && "/?#".indexOf(text.charAt(end)) < 0) {
      end++;
    }
    String authority = text.substring(start, end);
    if (authority.isEmpty() || !onlyAuthorityChars(authority)) {
      throw RequestRejected.badRequest("invalid authority in absolute-form request target");
    }
    return new RequestTarget(text, authority);
  }

  private static boolean onlyAuthorityChars(String authority) {
    for (int i = 0; i < authority.length(); i++) {
      if (AUTHORITY_CHARS.indexOf(authority.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }
}
