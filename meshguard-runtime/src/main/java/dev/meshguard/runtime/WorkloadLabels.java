package dev.meshguard.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/** The `k=v,k=v` label list of `--labels`, of ext_authz `context_extensions` and of headers. */
public final class WorkloadLabels {
  private WorkloadLabels() {}

  /**
   * Parses {@code text}; blank items are skipped.
   *
   * @throws IllegalArgumentException for an item without `=` or with an empty key
   */
  public static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String item : text.split(",", -1)) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      if (eq <= 0 || item.substring(0, eq).isBlank()) {
        throw new IllegalArgumentException("label `" + item + "` is not of the form key=value");
      }
      out.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
    }
    return out;
  }
}
