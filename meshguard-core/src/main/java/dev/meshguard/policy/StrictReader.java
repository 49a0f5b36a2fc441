package dev.meshguard.policy;

import dev.meshguard.policy.YamlNode.Kind;
import dev.meshguard.policy.YamlNode.ListNode;
import dev.meshguard.policy.YamlNode.MapNode;
import dev.meshguard.policy.YamlNode.Scalar;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads typed values out of a {@link YamlNode} tree and reports every mismatch with its field path.
 * Unknown fields are errors: Kubernetes prunes or refuses them, and a misspelt restriction that is
 * silently dropped widens a policy (security row 15). Null counts as absent, as it does for the
 * Kubernetes API server.
 *
 * <p>Kubernetes would refuse a number or boolean where its schema wants a string; we read the
 * scalar as written and warn, so that `ports: [8080]` still means what its author meant.
 */
final class StrictReader {
  private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]+");

  private final FindingSink sink;

  StrictReader(FindingSink sink) {
    this.sink = sink;
  }

  FindingSink sink() {
    return sink;
  }

  /** The map at {@code path}, or null when it is absent or of another type (reported). */
  MapNode map(YamlNode node, String path) {
    if (YamlNode.isNull(node)) {
      return null;
    }
    if (node instanceof MapNode map) {
      return map;
    }
    sink.error(path, "expected a map, got " + node.describe());
    return null;
  }

  /** Reports every field of {@code map} that is not in {@code known}. */
  void allowOnly(MapNode map, String path, Collection<String> known) {
    if (map == null) {
      return;
    }
    for (String name : map.fields().keySet()) {
      if (!known.contains(name)) {
        sink.error(
            Paths.field(path, name), "unknown field " + Text.quote(name) + suggest(name, known));
      }
    }
  }

  /** The items at {@code path}, or null when absent or not a list (reported). */
  List<YamlNode> list(YamlNode node, String path) {
    if (YamlNode.isNull(node)) {
      return null;
    }
    if (node instanceof ListNode list) {
      return list.items();
    }
    sink.error(path, "expected a list, got " + node.describe());
    return null;
  }

  /** A string, or null when absent; other scalars are read as written, with a warning. */
  String string(YamlNode node, String path) {
    if (YamlNode.isNull(node)) {
      return null;
    }
    if (node instanceof Scalar scalar) {
      if (scalar.kind() != Kind.STRING) {
        sink.warning(
            path,
            "expected a string, got "
                + scalar.describe()
                + ": read as "
                + Text.quote(scalar.text())
                + "; Kubernetes rejects this, quote the value");
      }
      return scalar.text();
    }
    sink.error(path, "expected a string, got " + node.describe());
    return null;
  }

  /** A string list item: like {@link #string} but null items are errors. */
  private String item(YamlNode node, String path) {
    if (YamlNode.isNull(node)) {
      sink.error(path, "expected a string, got null");
      return null;
    }
    return string(node, path);
  }

  /**
   * A list of strings, or null when absent. Items in error are reported and read as `""`, so that
   * the indexes of the others stay right.
   */
  List<String> strings(YamlNode node, String path) {
    List<YamlNode> items = list(node, path);
    if (items == null) {
      return null;
    }
    List<String> values = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String value = item(items.get(i), Paths.index(path, i));
      values.add(value == null ? "" : value);
    }
    return List.copyOf(values);
  }

  /** {@link #strings}, with absent read as an empty list. */
  List<String> stringsOrEmpty(YamlNode node, String path) {
    List<String> values = strings(node, path);
    return values == null ? List.of() : values;
  }

  /** A map of strings to strings (labels, annotations), or null when absent. */
  Map<String, String> stringMap(YamlNode node, String path) {
    MapNode map = map(node, path);
    if (map == null) {
      return null;
    }
    Map<String, String> values = new LinkedHashMap<>();
    map.fields()
        .forEach(
            (key, value) -> {
              String text = item(value, Paths.key(path, key));
              if (text != null) {
                values.put(key, text);
              }
            });
    return values;
  }

  /** A map of strings to integers (endpoint ports), or null when absent. */
  Map<String, Long> integerMap(YamlNode node, String path) {
    MapNode map = map(node, path);
    if (map == null) {
      return null;
    }
    Map<String, Long> values = new LinkedHashMap<>();
    map.fields()
        .forEach(
            (key, value) -> {
              String itemPath = Paths.key(path, key);
              if (YamlNode.isNull(value)) {
                sink.error(itemPath, "expected an integer, got null");
                return;
              }
              Long number = integer(value, itemPath);
              if (number != null) {
                values.put(key, number);
              }
            });
    return values;
  }

  /**
   * An integer, or null when absent or invalid (reported). A quoted decimal is accepted with a
   * warning, like a number in a string field.
   */
  Long integer(YamlNode node, String path) {
    if (YamlNode.isNull(node)) {
      return null;
    }
    if (node instanceof Scalar scalar) {
      if (scalar.kind() == Kind.INTEGER && scalar.canonical() != null) {
        Long value = toLong(scalar.canonical());
        if (value != null) {
          return value;
        }
        sink.error(path, "integer out of range: " + Text.quote(scalar.text()));
        return null;
      }
      if (scalar.kind() == Kind.STRING && DECIMAL.matcher(scalar.text()).matches()) {
        Long value = toLong(scalar.text());
        if (value != null) {
          sink.warning(
              path,
              "expected an integer, got "
                  + scalar.describe()
                  + ": read as "
                  + value
                  + "; Kubernetes rejects this, remove the quotes");
          return value;
        }
      }
    }
    sink.error(path, "expected an integer, got " + node.describe());
    return null;
  }

  /** A boolean, or null when absent or invalid (reported); `"true"`/`"false"` with a warning. */
  Boolean bool(YamlNode node, String path) {
    if (YamlNode.isNull(node)) {
      return null;
    }
    if (node instanceof Scalar scalar) {
      if (scalar.kind() == Kind.BOOLEAN) {
        return Boolean.valueOf(scalar.canonical());
      }
      if (scalar.kind() == Kind.STRING
          && (scalar.text().equals("true") || scalar.text().equals("false"))) {
        sink.warning(
            path,
            "expected a boolean, got "
                + scalar.describe()
                + ": read as "
                + scalar.text()
                + "; Kubernetes rejects this, remove the quotes");
        return Boolean.valueOf(scalar.text());
      }
    }
    sink.error(path, "expected a boolean, got " + node.describe());
    return null;
  }

  /** One of {@code allowed} (exact, case-sensitive as in the CRD schema), or null. */
  String enumValue(YamlNode node, String path, List<String> allowed) {
    if (YamlNode.isNull(node)) {
      return null;
    }
    if (node instanceof Scalar scalar && scalar.kind() == Kind.STRING) {
      if (allowed.contains(scalar.text())) {
        return scalar.text();
      }
      sink.error(
          path,
          "unsupported value "
              + Text.quote(scalar.text())
              + ": expected one of "
              + String.join(", ", allowed)
              + suggest(scalar.text(), allowed));
      return null;
    }
    sink.error(path, "expected one of " + String.join(", ", allowed) + ", got " + node.describe());
    return null;
  }

  private static Long toLong(String decimal) {
    try {
      return Long.valueOf(decimal.startsWith("+") ? decimal.substring(1) : decimal);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** ` (did you mean `paths`?)` when a known name differs only by case or a typo. */
  static String suggest(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String lower = name.toLowerCase(Locale.ROOT);
    for (String candidate : known) {
      int distance =
          candidate.toLowerCase(Locale.ROOT).equals(lower)
              ? 0
              : distance(lower, candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int tolerance = Math.min(2, Math.max(1, name.length() / 4));
    return best != null && bestDistance <= tolerance
        ? " (did you mean " + Text.quote(best) + "?)"
        : "";
  }

  /** Optimal string alignment distance: edits plus swaps of neighbours (`spce` → `spec`). */
  private static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 2) {
      return Integer.MAX_VALUE;
    }
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  static Set<String> names(String... names) {
    return Set.of(names);
  }
}
