package dev.meshguard.policy;

/** Puts user input into messages: in backticks, on one line, and not longer than a line. */
final class Text {
  private static final int MAX = 120;

  private Text() {}

  /** {@code value} in backticks. */
  static String quote(String value) {
    return "`" + clip(value) + "`";
  }

  /** {@code value} with control characters escaped and long values shortened. */
  static String clip(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && sb.length() < MAX; i++) {
      char c = value.charAt(i);
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (sb.length() >= MAX && value.length() > MAX) {
      sb.setLength(MAX);
      sb.append("...");
    }
    return sb.toString();
  }

  static boolean isNullOrEmpty(String value) {
    return value == null || value.isEmpty();
  }
}
