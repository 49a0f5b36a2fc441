package dev.meshguard.engine.authz;

import java.util.Locale;
import java.util.function.Predicate;

/**
 * Istio's value syntax: `abc` exact, `abc*` prefix, `*abc` suffix, `*` any; a `*` elsewhere is a
 * literal character. Two flavours of `*`: any non-empty value (generic values, paths) or any
 * present value, even empty (headers, methods, hosts).
 */
final class StringValues {
  private StringValues() {}

  /** Generic values: `*` means non-empty. */
  static Predicate<String> generic(String value) {
    return build(value, false, false);
  }

  /** Header-based values: `*` means present. */
  static Predicate<String> header(String value) {
    return build(value, true, false);
  }

  /** Hosts: header semantics, case-insensitive. */
  static Predicate<String> host(String value) {
    return build(value, true, true);
  }

  private static Predicate<String> build(String value, boolean starMeansPresent, boolean ignoreCase) {
    if (value.equals("*")) {
      return starMeansPresent ? s -> s != null : s -> s != null && !s.isEmpty();
    }
    String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    if (v.endsWith("*")) {
      String prefix = v.substring(0, v.length() - 1);
      return s -> s != null && fold(s, ignoreCase).startsWith(prefix);
    }
    if (v.startsWith("*")) {
      String suffix = v.substring(1);
      return s -> s != null && fold(s, ignoreCase).endsWith(suffix);
    }
    return s -> s != null && fold(s, ignoreCase).equals(v);
  }

  private static String fold(String s, boolean ignoreCase) {
    return ignoreCase ? s.toLowerCase(Locale.ROOT) : s;
  }
}
