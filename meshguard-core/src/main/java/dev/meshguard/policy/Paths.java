package dev.meshguard.policy;

import java.util.regex.Pattern;

/**
 * Builds field paths such as `spec.rules[0].to[0].operation.paths[1]` and `metadata.labels[app]`.
 */
final class Paths {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Paths() {}

  /** A struct field, or a map key in brackets when it is not a plain identifier. */
  static String field(String parent, String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      return key(parent, name);
    }
    return parent.isEmpty() ? name : parent + "." + name;
  }

  /** A map key, always in brackets (label and annotation keys often contain dots). */
  static String key(String parent, String key) {
    return parent + "[" + Text.clip(key) + "]";
  }

  static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
