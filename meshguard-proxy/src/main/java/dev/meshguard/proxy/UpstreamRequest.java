package dev.meshguard.proxy;

import dev.meshguard.engine.Decision;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns an allowed request into the request sent upstream: the decision's path and header changes,
 * our own `Expect` handling, HTTP/1.1 framing. Everything that goes into the request line or a
 * header is checked first, the way Envoy's router checks a request before its codec encodes it
 * (`HeaderUtility::checkValidRequestHeaders`): a value that cannot be sent (a claim with CR, LF,
 * NUL, DEL or another control character) gets Envoy's 503 `invalid header value for: <name>`
 * instead of an exception deep in the encoder and a request that never gets an answer.
 */
final class UpstreamRequest {
  /** RFC 9110 `tchar`: what a header name may contain. */
  private static final String TOKEN_CHARS =
      "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  private UpstreamRequest() {}

  /**
   * Applies {@code decision} to {@code request} (mutating it into what is written upstream).
   *
   * @return null when the request can be sent; otherwise the body of the 503 to answer with, and
   *     the request is left unchanged
   */
  static String apply(
      HttpRequest request, Decision decision, boolean expectContinue, boolean chunked) {
    Decision.UpstreamRewrite up = decision.upstream();
    String path;
    List<Map.Entry<String, String>> added = new ArrayList<>();
    if (up != null) {
      path = up.path();
      for (Map.Entry<String, String> h : up.addHeaders()) {
        String name = h.getKey();
        if (!isToken(name)) {
          return "invalid header name: " + printable(name);
        }
        String value = trimOptionalWhitespace(h.getValue());
        if (!isFieldValue(value)) {
          return "invalid header value for: " + name;
        }
        // Netty writes one byte per char; the value's bytes are its UTF-8 (Envoy's obs-text)
        added.add(Map.entry(name, WireText.headerBytes(value)));
      }
    } else {
      // a decision without a rewrite (tests): the received target without its fragment
      String received = WireText.utf8OrNull(request.uri());
      path = received == null ? "" : received;
      int hash = path.indexOf('#');
      path = hash >= 0 ? path.substring(0, hash) : path;
    }
    if (!isRequestTarget(path)) {
      return "invalid header value for: :path";
    }

    // Netty writes the request target as UTF-8: the engine's text is what goes on the wire
    request.setUri(path);
    HttpHeaders headers = request.headers();
    if (up != null) {
      for (String name : up.removeHeaders()) {
        headers.remove(name);
      }
      for (Map.Entry<String, String> h : added) {
        headers.add(h.getKey(), h.getValue());
      }
    }
    if (expectContinue) {
      // we answer 100-continue ourselves, as Envoy does by default (but only once allowed:
      // known-divergences), so the upstream never sees the expectation
      headers.remove(HttpHeaderNames.EXPECT);
    }
    if (chunked) {
      HttpUtil.setTransferEncodingChunked(request, true);
    }
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    return null;
  }

  /**
   * Without leading and trailing spaces and tabs. Envoy writes them (`x: admin`), and every HTTP/1
   * parser drops them again, so the value the upstream reads is the same; Netty's encoder refuses a
   * value that starts with whitespace.
   */
  static String trimOptionalWhitespace(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && isOws(value.charAt(start))) {
      start++;
    }
    while (end > start && isOws(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(start, end);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /** RFC 9110 field-value after trimming: no control character but HTAB, no DEL. */
  static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (TOKEN_CHARS.indexOf(name.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** A path to put in the request line: starts with `/`, no space or control character. */
  private static boolean isRequestTarget(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c == 0x7f || Character.isSurrogate(c) && !validPair(path, i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** A header name for an error body, control characters escaped as Envoy's JSON escaper does. */
  private static String printable(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append("\\u00")
            .append(Character.forDigit(c >> 4, 16))
            .append(Character.forDigit(c & 0xf, 16));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
