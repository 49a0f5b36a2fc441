package dev.meshguard.cli;

import java.util.Locale;

/** Parses `500KB`, `100MB`, `1GB` (powers of 1024) or a bare number of bytes. */
final class Sizes {
  private Sizes() {}

  static long parse(String option, String value) {
    String v = value.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    for (String[] suffix :
        new String[][] {{"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"}}) {
      if (v.endsWith(suffix[0])) {
        unit = Long.parseLong(suffix[1]);
        v = v.substring(0, v.length() - 2).trim();
        break;
      }
    }
    if (v.endsWith("B")) {
      v = v.substring(0, v.length() - 1).trim();
    }
    try {
      long n = Long.parseLong(v);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          option + ": `" + value + "` is not a size (e.g. 500KB, 100MB, 1GB)");
    }
  }
}
