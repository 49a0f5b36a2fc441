package dev.meshguard.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Collects the findings of one configuration object. Field paths are relative to the object; a
 * prefix (`items[2]` inside a `kind: List`) and path renames (the singular `targetRef`, which the
 * records fold into `targetRefs`) are applied here so that checks never have to know about them.
 *
 * <p>An object is first read, then validated. A value that could not be read is replaced by a
 * placeholder (so that list indexes stay right), and validation findings at or below a path where
 * reading already failed are dropped: they would only be about the placeholder.
 */
final class FindingSink {
  private final DocumentOrigin origin;
  private final String prefix;
  private final List<Finding> out;
  private final Map<String, String> renames = new LinkedHashMap<>();
  private final Set<String> readErrorPaths = new HashSet<>();
  private boolean validating;
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

  String prefix() {
    return prefix;
  }

  List<Finding> findings() {
    return out;
  }

  /** Reports paths starting with {@code from} as starting with {@code to} instead. */
  void rename(String from, String to) {
    renames.put(from, to);
  }

  /** From now on, findings are validation findings. */
  void beginValidation() {
    validating = true;
  }

  void error(String path, String message) {
    String local = rename(path);
    if (validating && belowReadError(local)) {
      return;
    }
    if (!validating) {
      readErrorPaths.add(local);
    }
    errors++;
    out.add(Finding.error(origin, prefixed(local), message));
  }

  void warning(String path, String message) {
    String local = rename(path);
    if (validating && belowReadError(local)) {
      return;
    }
    out.add(Finding.warning(origin, prefixed(local), message));
  }

  int errorCount() {
    return errors;
  }

  private boolean belowReadError(String path) {
    for (String failed : readErrorPaths) {
      if (isAtOrBelow(path, failed)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAtOrBelow(String path, String ancestor) {
    return path.equals(ancestor)
        || (path.startsWith(ancestor)
            && (path.charAt(ancestor.length()) == '.' || path.charAt(ancestor.length()) == '['));
  }

  private String rename(String path) {
    for (Map.Entry<String, String> rename : renames.entrySet()) {
      String from = rename.getKey();
      if (isAtOrBelow(path, from)) {
        return rename.getValue() + path.substring(from.length());
      }
    }
    return path;
  }

  private String prefixed(String path) {
    if (prefix.isEmpty()) {
      return path;
    }
    return path.isEmpty() ? prefix : prefix + "." + path;
  }
}
