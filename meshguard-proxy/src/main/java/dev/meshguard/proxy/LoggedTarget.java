package dev.meshguard.proxy;

import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.policy.RequestAuthentication;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The request target as the access log shows it: the value of every query parameter a token may be
 * read from (`access_token`, Istio's default, and each `fromParams` of the configuration in force)
 * replaced by `REDACTED`. Header and cookie values are never logged at all.
 */
final class LoggedTarget {
  static final String REDACTED = "REDACTED";
  private static final String DEFAULT_PARAMETER = "access_token";

  private LoggedTarget() {}

  /** {@code target} with token parameter values redacted; names are compared percent-decoded. */
  static String redact(String target, PolicySnapshot snapshot) {
    if (target == null) {
      return null;
    }
    int query = target.indexOf('?');
    if (query < 0) {
      return target;
    }
    Set<String> names = tokenParameters(snapshot);
    StringBuilder out = new StringBuilder(target.length());
    out.append(target, 0, query + 1);
    int start = query + 1;
    // `#` ends the query for Envoy, but a fragment is never a token location: treating it as one
    // more separator can only redact more
    while (start <= target.length()) {
      int end = nextSeparator(target, start);
      String pair = target.substring(start, end);
      int eq = pair.indexOf('=');
      if (eq >= 0 && names.contains(percentDecode(pair.substring(0, eq)))) {
        out.append(pair, 0, eq + 1).append(REDACTED);
      } else {
        out.append(pair);
      }
      if (end < target.length()) {
        out.append(target.charAt(end));
      }
      start = end + 1;
    }
    return out.toString();
  }

  private static int nextSeparator(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '&' || c == '#') {
        return i;
      }
    }
    return s.length();
  }

  static Set<String> tokenParameters(PolicySnapshot snapshot) {
    Set<String> names = new HashSet<>();
    names.add(DEFAULT_PARAMETER);
    if (snapshot != null) {
      for (RequestAuthentication ra : snapshot.requestAuthentications()) {
        for (JwtRule rule : ra.jwtRules()) {
          if (rule.fromParams() != null) {
            names.addAll(rule.fromParams());
          }
        }
      }
    }
    return names;
  }

  /** `%XX` decoded as Envoy's query parser does; malformed escapes kept. */
  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[in.length];
    int n = 0;
    for (int i = 0; i < in.length; i++) {
      int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
      int lo = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
      if (in[i] == '%' && hi >= 0 && lo >= 0) {
        out[n++] = (byte) (hi * 16 + lo);
        i += 2;
      } else {
        out[n++] = in[i];
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }
}
