package dev.meshguard.engine.authn;

import dev.meshguard.engine.HeaderWorkingSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a provider's tokens the way Envoy's jwt_authn extractor does: headers first (each value on
 * its own, except that repeated lines of a header Envoy keeps inline, such as `Authorization`, are
 * first joined with `,` as its codec joins them; with a prefix, the prefix is searched anywhere in
 * the value and the token runs from the next base64url character to the end of the value, as Envoy
 * has done since 1.29), then query parameters (first value, URL-decoded), then cookies.
 */
final class TokenExtractor {
  private static final String TOKEN_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

  private TokenExtractor() {}

  static List<ExtractedToken> extract(
      JwtProvider provider, HeaderWorkingSet headers, String query) {
    List<ExtractedToken> tokens = new ArrayList<>(1);
    for (JwtProvider.HeaderLocation location : provider.headerLocations()) {
      for (String value : headerValues(headers, location.name())) {
        int start = 0;
        if (!location.prefix().isEmpty()) {
          int at = value.indexOf(location.prefix());
          if (at < 0) {
            continue; // Envoy skips a value without the prefix: no token, not an error
          }
          start = tokenStart(value, at + location.prefix().length());
        }
        tokens.add(new ExtractedToken(value, start, location.tokenLocation()));
      }
    }
    if (!provider.queryParameters().isEmpty() && query != null) {
      for (String parameter : provider.queryParameters()) {
        String value = firstQueryValue(query, parameter);
        if (value != null) {
          tokens.add(
              new ExtractedToken(
                  value, new TokenLocation(TokenLocation.Kind.QUERY_PARAMETER, parameter)));
        }
      }
    }
    if (!provider.cookies().isEmpty()) {
      List<String> cookieHeaders = headers.all("cookie");
      for (String cookie : provider.cookies()) {
        String value = cookieValue(cookieHeaders, cookie);
        if (value != null) {
          tokens.add(
              new ExtractedToken(value, new TokenLocation(TokenLocation.Kind.COOKIE, cookie)));
        }
      }
    }
    return tokens;
  }

  /** One value per header line, or the lines joined with `,` where Envoy's codec joins them. */
  private static List<String> headerValues(HeaderWorkingSet headers, String name) {
    List<String> values = headers.all(name);
    if (values.size() > 1 && EnvoyInlineHeaders.joinsRepeatedLines(name)) {
      return List.of(String.join(",", values));
    }
    return values;
  }

  /**
   * The token after a prefix: from the first base64url or `.` character to the end of the value.
   * Envoy 1.29 stopped cutting the token at the next other character (envoy#27877, runtime guard
   * `token_passed_entirely`, removed in 1.31), so `Bearer <jwt> junk` is verified as `<jwt> junk`
   * and fails. Without such a character the whole value is the token. Returns where the token
   * starts in the value (kept as an offset, not copied).
   */
  private static int tokenStart(String value, int from) {
    for (int i = from; i < value.length(); i++) {
      if (TOKEN_CHARS.indexOf(value.charAt(i)) >= 0) {
        return i;
      }
    }
    return 0;
  }

  /** The first value of a query parameter, percent-decoded, or null when absent. */
  static String firstQueryValue(String query, String name) {
    int start = 0;
    while (start <= query.length()) {
      int end = query.indexOf('&', start);
      if (end < 0) {
        end = query.length();
      }
      String pair = query.substring(start, end);
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (percentDecode(key).equals(name)) {
        return eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
      }
      start = end + 1;
    }
    return null;
  }

  /** Decodes `%XX` sequences; malformed sequences are kept as they are (as Envoy does). */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] out = new byte[s.length()];
    int n = 0;
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
        out[n++] = (byte) (hex(in[i + 1]) * 16 + hex(in[i + 2]));
        i += 2;
      } else {
        if (n == out.length) {
          out = java.util.Arrays.copyOf(out, out.length * 2);
        }
        out[n++] = in[i];
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static int hex(byte b) {
    return Character.digit((char) b, 16);
  }

  /** The first cookie with exactly this name across all `Cookie` headers, or null. */
  static String cookieValue(List<String> cookieHeaders, String name) {
    for (String header : cookieHeaders) {
      for (String part : header.split(";", -1)) {
        String pair = part.stripLeading();
        int eq = pair.indexOf('=');
        if (eq < 0) {
          continue;
        }
        if (pair.substring(0, eq).equals(name)) {
          String value = pair.substring(eq + 1);
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value;
        }
      }
    }
    return null;
  }
}
