package dev.meshguard.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Collects the findings of one configuration object. Field paths are relative to the object; a
 * prefix (`items[2]` inside a `kind: List`) and path renames (the singular `targetRef`, which the
 * records fold into `targetRefs`) are applied here so that checks never have to know about them.
 */
final class FindingSink {
  private final DocumentOrigin origin;
  private final String prefix;
  private final List<Finding> out;
  private final Map<String, String> renames = new LinkedHashMap<>();
  private int errors;

  FindingSink(DocumentOrigin origin, String prefix, List<Finding> out) {
    this.origin = Objects.requireNonNull(origin, "origin");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** A sink that keeps its findings to itself. */
  static FindingSink detached(DocumentOrigin origin) {
    return new FindingSink(origin, "", new ArrayList<>());
  }

  DocumentOrigin origin() {
    return origin;
  }

  List<Finding> findings() {
    return out;
  }

  /** Reports paths starting with {@code from} as starting with {@code to} instead. */
  void rename(String from, String to) {
    renames.put(from, to);
  }

  void error(String path, String message) {
    errors++;
    out.add(Finding.error(origin, where(path), message));
  }

  void warning(String path, String message) {
    out.add(Finding.warning(origin, where(path), message));
  }

  int errorCount() {
    return errors;
  }

  private String where(String path) {
    String renamed = path;
    for (Map.Entry<String, String> rename : renames.entrySet()) {
      String from = rename.getKey();
      if (path.equals(from)
          || path.startsWith(from + ".")
          || path.startsWith(from + "[")) {
        renamed = rename.getValue() + path.substring(from.length());
        break;
      }
    }
    if (prefix.isEmpty()) {
      return renamed;
    }
    return renamed.isEmpty() ? prefix : prefix + "." + renamed;
  }
}
