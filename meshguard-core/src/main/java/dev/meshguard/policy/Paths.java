package dev.meshguard.policy;

/**
 * Builds field paths such as `spec.rules[0].to[0].operation.paths[1]` and `metadata.labels[app]`.
 */
final class Paths {
  private Paths() {}

  /** A struct field, or a map key in brackets when it is not a plain identifier. */
  static String field(String parent, String name) {
    if (!isIdentifier(name)) {
      return key(parent, name);
    }
    return parent.isEmpty() ? name : parent + "." + name;
  }

  /** {@code [A-Za-z_][A-Za-z0-9_]*}, without a regex: every field of every document comes here. */
  static boolean isIdentifier(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** A map key, always in brackets (label and annotation keys often contain dots). */
  static String key(String parent, String key) {
    return parent + "[" + Text.clip(key) + "]";
  }

  static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
