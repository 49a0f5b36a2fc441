package dev.meshguard.cli.validate;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Line numbers of a file's documents and fields, from SnakeYAML's node marks. The documents are
 * composed the way the configuration loader splits them (both read SnakeYAML's events), so document
 * N here is the loader's document N.
 */
public final class YamlLines {
  private static final Pattern SYNTAX_LINE = Pattern.compile("at line (\\d+)");

  private final List<Node> documents;

  private YamlLines(List<Node> documents) {
    this.documents = documents;
  }

  /** The positions of {@code text}; what cannot be composed (a syntax error) has none. */
  public static YamlLines of(String text) {
    List<Node> docs = new ArrayList<>();
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true);
    options.setMaxAliasesForCollections(50);
    options.setCodePointLimit(64 * 1024 * 1024);
    try {
      for (Node n : new Yaml(options).composeAll(new StringReader(text))) {
        docs.add(n);
      }
    } catch (RuntimeException e) {
      // documents before the error keep their positions; the error's own finding has its line
    }
    return new YamlLines(docs);
  }

  /** No positions (a file that could not be read). */
  public static YamlLines none() {
    return new YamlLines(List.of());
  }

  /**
   * The 1-based line where {@code field} of document {@code document} starts: the key of a map
   * entry, the item of a list; the deepest part of the path that exists when the rest does not
   * (`targetRefs[0]` written as `targetRef`); the document's first line for an empty field; 0 when
   * unknown. A syntax error's message (`invalid yaml at line 7, ...`) gives its own line.
   */
  public int line(int document, String field, String message) {
    Matcher syntax = SYNTAX_LINE.matcher(message);
    if (message.startsWith("invalid yaml") && syntax.find()) {
      return Integer.parseInt(syntax.group(1));
    }
    if (document < 0 || document >= documents.size() || documents.get(document) == null) {
      return 0;
    }
    Node node = documents.get(document);
    int line = node.getStartMark().getLine() + 1;
    List<String> segments = segments(field);
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      if (node instanceof MappingNode map) {
        NodeTuple entry = entry(map, segment);
        if (entry == null && segment.equals("targetRefs")) {
          // the singular `targetRef` is reported as `targetRefs[0]`
          entry = entry(map, "targetRef");
          if (entry != null && i + 1 < segments.size() && segments.get(i + 1).equals("0")) {
            i++;
          }
        }
        if (entry == null) {
          entry = entry(map, snakeCase(segment));
        }
        if (entry == null) {
          return line;
        }
        line = entry.getKeyNode().getStartMark().getLine() + 1;
        node = entry.getValueNode();
      } else if (node instanceof SequenceNode list && isIndex(segment)) {
        int index = Integer.parseInt(segment);
        if (index >= list.getValue().size()) {
          return line;
        }
        node = list.getValue().get(index);
        line = node.getStartMark().getLine() + 1;
      } else {
        return line;
      }
    }
    return line;
  }

  private static NodeTuple entry(MappingNode map, String key) {
    for (NodeTuple t : map.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
        return t;
      }
    }
    return null;
  }

  private static boolean isIndex(String s) {
    return !s.isEmpty() && s.length() < 10 && s.chars().allMatch(Character::isDigit);
  }

  /** `jwksUri` → `jwks_uri`: Istio's YAML reader accepts either spelling. */
  private static String snakeCase(String s) {
    return s.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  /**
   * `spec.rules[0].to[0]` → spec, rules, 0, to, 0; `metadata.labels[a.b/c]` → metadata, labels,
   * a.b/c.
   */
  static List<String> segments(String field) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    while (i < field.length()) {
      char c = field.charAt(i);
      if (c == '.') {
        flush(current, out);
        i++;
      } else if (c == '[') {
        flush(current, out);
        int close = field.indexOf(']', i);
        if (close < 0) {
          out.add(field.substring(i + 1));
          return out;
        }
        out.add(field.substring(i + 1, close));
        i = close + 1;
      } else {
        current.append(c);
        i++;
      }
    }
    flush(current, out);
    return out;
  }

  private static void flush(StringBuilder current, List<String> out) {
    if (current.length() > 0) {
      out.add(current.toString());
      current.setLength(0);
    }
  }
}
